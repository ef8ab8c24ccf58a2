package dev.distillguard.workbench.evaluate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The acceptance targets of the detection-quality issue, checked against every scenario they apply to. */
public final class Targets {

  static final String DETECTED = "every adversarial campaign is detected";
  static final String NAMED_WITHIN_HOUR = ">= 95% of a campaign's accounts throttled or blocked within one event-time hour of its start";
  static final String FAST_FOR_LOUD = "first decision within 10 event-time minutes for a campaign of >= 100 requests a minute";
  static final String PROTECTED = "no heavy customer, university cohort, CI harness or corporate NAT user throttled or blocked";
  static final String BENIGN_BUDGET = "benign accounts throttled or blocked under 0.1%";

  /** The populations no decision may throttle or block. */
  static final Set<String> PROTECTED_POPULATIONS =
      Set.of("heavy-customer", "university-cohort", "ci-harness", "corporate-nat");

  private Targets() {}

  public static List<TargetCheck> check(List<ScenarioOutcome> outcomes) {
    List<TargetCheck> checks = new ArrayList<>();
    long benignAccounts = 0;
    long benignEnforced = 0;
    for (ScenarioOutcome outcome : outcomes) {
      Scoreboard score = outcome.score();
      if (outcome.adversarial() && score.campaigns().isEmpty()) {
        checks.add(new TargetCheck(DETECTED, outcome.name(), false, "the scenario produced no campaign traffic"));
      }
      for (Scoreboard.CampaignScore c : score.campaigns()) {
        String who = outcome.name() + (score.campaigns().size() > 1 ? " (" + c.campaignId() + ")" : "");
        checks.add(new TargetCheck(DETECTED, who, c.detected(), c.detected()
            ? "first throttle " + minutes(c.timeToFirstDecision()) + " after its first request"
            : "no THROTTLE or BLOCK named any of its " + c.accounts() + " accounts"));
        checks.add(new TargetCheck(NAMED_WITHIN_HOUR, who, c.enforcedWithinHourShare() >= 0.95,
            String.format(Locale.ROOT, "%.1f%% within the hour (%d of %d accounts; %d of them sent anything in that hour)",
                100 * c.enforcedWithinHourShare(), c.accountsEnforcedWithinHour(), c.accounts(),
                c.accountsActiveInFirstHour())));
        if (c.requestsPerMinute() >= 100) {
          boolean fast = c.detected() && c.timeToFirstDecision().compareTo(Duration.ofMinutes(10)) <= 0;
          checks.add(new TargetCheck(FAST_FOR_LOUD, who, fast, String.format(Locale.ROOT,
              "%.0f requests a minute; first throttle %s", c.requestsPerMinute(),
              c.detected() ? minutes(c.timeToFirstDecision()) + " after start" : "never")));
        }
      }
      Scoreboard.BenignScore benign = score.benign();
      int protectedHit = 0;
      for (String population : PROTECTED_POPULATIONS) {
        protectedHit += benign.enforcedByPopulation().getOrDefault(population, 0);
      }
      if (outcome.score().benign().accounts() > 0 && touchesProtected(outcome)) {
        checks.add(new TargetCheck(PROTECTED, outcome.name(), protectedHit == 0,
            protectedHit + " protected accounts throttled or blocked"));
      }
      checks.add(new TargetCheck(BENIGN_BUDGET, outcome.name(), benign.enforcedShare() < 0.001,
          String.format(Locale.ROOT, "%d of %,d benign accounts (%.3f%%); by population %s", benign.enforced(),
              benign.accounts(), 100 * benign.enforcedShare(), benign.enforcedByPopulation())));
      benignAccounts += benign.accounts();
      benignEnforced += benign.enforced();
    }
    double overall = benignAccounts == 0 ? 0 : (double) benignEnforced / benignAccounts;
    checks.add(new TargetCheck(BENIGN_BUDGET, "all scenarios", overall < 0.001,
        String.format(Locale.ROOT, "%d of %,d benign accounts (%.3f%%)", benignEnforced, benignAccounts, 100 * overall)));
    return checks;
  }

  private static boolean touchesProtected(ScenarioOutcome outcome) {
    return outcome.score().benign().populations().stream().anyMatch(PROTECTED_POPULATIONS::contains);
  }

  static String minutes(Duration d) {
    return d.toMinutes() + "m" + String.format(Locale.ROOT, "%02d", d.toSecondsPart()) + "s";
  }
}
