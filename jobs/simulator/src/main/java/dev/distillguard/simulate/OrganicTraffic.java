package dev.distillguard.simulate;

import dev.distillguard.simulate.account.AccountAges;
import dev.distillguard.simulate.account.AccountProfiles;
import dev.distillguard.simulate.network.AddressPlans;
import dev.distillguard.simulate.prompt.PromptPlans;
import dev.distillguard.simulate.timing.HumanSessions;
import dev.distillguard.simulate.timing.Timing;
import java.time.Duration;
import java.util.List;

/**
 * The benign populations of the catalogue. Sizes are at scale 1; callers scale them with
 * {@link #scaled}.
 */
public final class OrganicTraffic {

  /** Regular users: sessions of about four requests, a new session every half hour to four hours. */
  public static final HumanSessions CASUAL_SESSIONS =
      new HumanSessions(4, Duration.ofSeconds(40), Duration.ofMinutes(30), Duration.ofHours(4));
  /** Occasional users: a few requests every one to six hours. */
  public static final HumanSessions LIGHT_SESSIONS =
      new HumanSessions(3, Duration.ofSeconds(45), Duration.ofHours(1), Duration.ofHours(6));
  /** People at work: a little more often than casual users, thinking a little longer. */
  public static final HumanSessions WORK_SESSIONS =
      new HumanSessions(4, Duration.ofSeconds(50), Duration.ofMinutes(45), Duration.ofHours(3));
  /** Students in class: short bursts every ten to thirty minutes, minutes of reading in between. */
  public static final HumanSessions CLASS_SESSIONS =
      new HumanSessions(4, Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofMinutes(30));
  /** Release-day enthusiasts: back every ten to forty minutes to try something else. */
  public static final HumanSessions EXCITED_SESSIONS =
      new HumanSessions(4, Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofMinutes(40));

  private OrganicTraffic() {}

  /** {@code base} accounts multiplied by {@code scale}, but never fewer than {@code minimum}. */
  public static int scaled(int base, double scale, int minimum) {
    if (!(scale > 0)) {
      throw new IllegalArgumentException("scale must be positive: " + scale);
    }
    return (int) Math.max(minimum, Math.round(base * scale));
  }

  /**
   * The light organic background of every scenario: 2,000 people chatting from home and 40 developer
   * integrations on the API (about 160 requests a minute at scale 1).
   */
  public static List<Population> background(double scale) {
    return List.of(
        Population.builder("organic-chat", scaled(2_000, scale, 40)).build(),
        Population.builder("organic-api", scaled(40, scale, 4))
            .profile(AccountProfiles.businesses())
            .addresses(AddressPlans.serverBlock(2))
            .timing(Timing.poisson(0.2, 4))
            .build());
  }

  /** Many occasional chat users at home. */
  public static Population lightChat(int accounts) {
    return Population.builder("light-chat", accounts).timing(LIGHT_SESSIONS).build();
  }

  /**
   * Products built on the API: each account sends hundreds of requests a minute (Poisson, 150 to 400)
   * from its own servers, every prompt a diverse user prompt behind the product's fixed system prompt.
   */
  public static Population heavyCustomers(int accounts) {
    return Population.builder("heavy-customer", accounts)
        .profile(AccountProfiles.businesses())
        .addresses(AddressPlans.serverBlock(4))
        .timing(Timing.poisson(150, 400))
        .prompts(PromptPlans.behindSystemPrompt())
        .build();
  }

  /**
   * Nightly CI: each account replays its fixed suite of {@code suiteSize} reasoning and code prompts at
   * one a second, at 02:00 UTC each night of the span (or once, when no night falls in it).
   */
  public static Population ciHarness(int accounts, int suiteSize) {
    return Population.builder("ci-harness", accounts)
        .profile(AccountProfiles.businesses())
        .addresses(AddressPlans.serverBlock(1))
        .timing(Timing.nightlyRuns(2, suiteSize, Duration.ofSeconds(1)))
        .prompts(PromptPlans.evalSuiteReplay(suiteSize))
        .models(ModelChoice.currentFlagship())
        .build();
  }

  /**
   * A class in a computer lab: brand-new accounts, all on one campus /24, pasting the same assignment
   * (each with their own small edits, 60% of requests) between follow-up questions, during one class.
   */
  public static Population universityCohort(int students, Duration classStart, Duration classEnd) {
    return Population.builder("university-cohort", students)
        .profile(AccountProfiles.students())
        .addresses(AddressPlans.campusSubnet())
        .timing(CLASS_SESSIONS)
        .prompts(PromptPlans.classAssignment(0.6))
        .activity(ActivityWindow.between(classStart, classEnd))
        .build();
  }

  /** A company's staff, all behind six NAT addresses in two /24s, at work. */
  public static Population corporateNat(int employees) {
    return Population.builder("corporate-nat", employees)
        .profile(AccountProfiles.employees())
        .addresses(AddressPlans.corporateNat(6, 2))
        .timing(WORK_SESSIONS)
        .build();
  }

  /** Existing users who keep to their habits through a release. */
  public static Population releaseDayRegulars(int accounts) {
    return Population.builder("release-day-regular", accounts).timing(CASUAL_SESSIONS).build();
  }

  /**
   * Existing users drawn in by a release at {@code release}: they arrive over the following hours
   * (mean delay 40 minutes) and try the new model, mostly with the viral prompts.
   */
  public static Population releaseDayCurious(int accounts, Duration release) {
    return Population.builder("release-day-curious", accounts)
        .timing(EXCITED_SESSIONS)
        .prompts(PromptPlans.viralPrompts(0.7))
        .models(ModelChoice.newestFlagship())
        .activity(ActivityWindow.joiningAfter(release, Duration.ofMinutes(40)))
        .build();
  }

  /** New users who sign up because of a release (mean delay an hour) and try the viral prompts at once. */
  public static Population releaseDaySignups(int accounts, Duration release) {
    return Population.builder("release-day-signup", accounts)
        .profile(AccountProfiles.individuals(AccountAges.justBefore(Duration.ofMinutes(15))))
        .timing(EXCITED_SESSIONS)
        .prompts(PromptPlans.viralPrompts(0.8))
        .models(ModelChoice.newestFlagship())
        .activity(ActivityWindow.joiningAfter(release, Duration.ofHours(1)))
        .build();
  }
}
