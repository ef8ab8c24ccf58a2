package dev.distillguard.simulate;

import static dev.distillguard.simulate.OrganicTraffic.scaled;

import dev.distillguard.simulate.network.AddressPlans;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * The named scenarios: benign traffic that looks suspicious at a glance (heavy customers, CI harnesses,
 * a class on one subnet, NAT, resellers, release-day crowds) and the distillation campaigns a
 * detector must catch. Every scenario runs on a light organic background; campaigns start
 * {@link CampaignSpec#DEFAULT_START} in, so a detector's warm-up shows.
 */
public final class ScenarioCatalogue {

  /** The simulator's {@code --scenario all}: every scenario at once. */
  public static final String ALL = "all";

  private static final Duration HOUR = Duration.ofHours(1);
  private static final Duration TWO_HOURS = Scenario.DEFAULT_SPAN;
  private static final String RESELLER = "relaygate";
  /** Hydra accounts stay at least this many at small scale, enough to look like a cluster. */
  private static final int MIN_HYDRA_ACCOUNTS = 40;

  private static final ScenarioCatalogue STANDARD = new ScenarioCatalogue(standardDefinitions());

  private final Map<String, ScenarioDefinition> definitions = new LinkedHashMap<>();

  public ScenarioCatalogue(List<ScenarioDefinition> definitions) {
    for (ScenarioDefinition definition : definitions) {
      if (definition.name().equals(ALL) || this.definitions.put(definition.name(), definition) != null) {
        throw new IllegalArgumentException("scenario name taken: " + definition.name());
      }
    }
  }

  public static ScenarioCatalogue standard() {
    return STANDARD;
  }

  /** This catalogue plus {@code more}. */
  public ScenarioCatalogue with(ScenarioDefinition more) {
    List<ScenarioDefinition> all = new ArrayList<>(definitions.values());
    all.add(more);
    return new ScenarioCatalogue(all);
  }

  public List<String> names() {
    return List.copyOf(definitions.keySet());
  }

  public List<ScenarioDefinition> definitions() {
    return List.copyOf(definitions.values());
  }

  public ScenarioDefinition definition(String name) {
    ScenarioDefinition definition = definitions.get(name);
    if (definition == null) {
      throw new IllegalArgumentException("no scenario " + name + "; known: " + names() + " and " + ALL);
    }
    return definition;
  }

  /** Scenario {@code name}, or every scenario at once for {@value #ALL}. */
  public Scenario scenario(String name, long seed, double scale, Instant start) {
    if (name.equals(ALL)) {
      return all(seed, scale, start);
    }
    return definition(name).scenario(seed, scale, start);
  }

  /** Every scenario running concurrently from {@code start}, each with its own seed and labels. */
  public Scenario all(long seed, double scale, Instant start) {
    return Scenario.concurrent(ALL, definitions.values().stream().map(d -> d.scenario(seed, scale, start)).toList());
  }

  private static List<ScenarioDefinition> standardDefinitions() {
    List<ScenarioDefinition> list = new ArrayList<>();

    list.add(benign("light-chat-users",
        "6,000 occasional chat users at home, a few requests every one to six hours.",
        scale -> OrganicTraffic.lightChat(scaled(6_000, scale, 100))));
    list.add(benign("heavy-customers",
        "4 products on the API, each 150-400 requests a minute (Poisson) of diverse user prompts behind "
            + "one fixed system prompt, mixed capabilities.",
        scale -> OrganicTraffic.heavyCustomers(scaled(4, scale, 2))));
    list.add(benign("ci-eval-harness",
        "A CI account replaying a fixed suite of 300 reasoning and code prompts at one a second (5 minutes), "
            + "at 02:00 UTC each night in the span, or once a quarter into it.",
        scale -> OrganicTraffic.ciHarness(scaled(1, scale, 1), 300)));
    list.add(benign("university-cohort",
        "300 accounts created the same morning, all on one campus /24, pasting one assignment with their "
            + "own small edits, in human sessions during a one-hour class 30 minutes in.",
        scale -> OrganicTraffic.universityCohort(scaled(300, scale, 40), Duration.ofMinutes(30),
            Duration.ofMinutes(90))));
    list.add(benign("corporate-nat",
        "3,000 staff of one company behind six NAT addresses in two /24s, diverse prompts.",
        scale -> OrganicTraffic.corporateNat(scaled(3_000, scale, 100))));
    list.add(benign("api-aggregator",
        "A legitimate reseller: 600 small customer accounts (0.1-0.5 requests a minute each) all leaving "
            + "through its six egress addresses in four /24s at two ASNs.",
        scale -> new ApiAggregator(RESELLER).customerPopulation(scaled(600, scale, 40))));
    list.add(ScenarioDefinition.of("release-day-burst",
        "A new model comes out an hour in: traffic surges about fourfold as 3,000 existing users and 1,000 "
            + "new signups try it, mostly with the same few viral prompts lightly edited.",
        Duration.ofHours(4), HOUR,
        scale -> withBackground(scale,
            OrganicTraffic.releaseDayRegulars(scaled(1_500, scale, 60)),
            OrganicTraffic.releaseDayCurious(scaled(3_000, scale, 100), HOUR),
            OrganicTraffic.releaseDaySignups(scaled(1_000, scale, 40), HOUR))));

    list.add(campaign("single-account-burst",
        "One account sending 200 templated reasoning prompts a minute (periodic, 10% jitter) from one "
            + "server address for 45 minutes.",
        scale -> CampaignSpec.builder("single-account-burst:c1")
            .population("burst-account")
            .accounts(1)
            .requestsPerHourPerAccount(200 * 60)
            .activeFor(Duration.ofMinutes(45))
            .addresses(AddressPlans.serverBlock(1))
            .templates(List.of("reasoning-stepwise", "reasoning-tutor"))
            .createdInBatches(1, Duration.ofDays(2), Duration.ofDays(10))
            .sharedIdentity(1, 1)
            .statusCodes(StatusCodes.HAMMERING)
            .build()));
    list.add(campaign("hydra-cluster",
        "2,000 young accounts, one templated CoT prompt an hour each (periodic, random phase), through a "
            + "rotating proxy pool of 600 /24s at 8 networks in 5 countries.",
        scale -> hydra("hydra-cluster", scale).build()));
    for (int percent : new int[] {5, 10, 25, 50}) {
      list.add(hydraInProxy(percent));
    }
    list.add(campaign("paraphrased-templates",
        "The hydra cluster paraphrasing 3-6 words of every request, so SimHashes drift 4-10 bits from "
            + "the template instead of 1-4.",
        scale -> hydra("paraphrased-templates", scale).paraphrase().build()));
    list.add(campaign("residential-rotation",
        "The hydra cluster behind a residential proxy service: nearly every request from a different /24.",
        scale -> hydra("residential-rotation", scale).addresses(AddressPlans.residentialRotation()).build()));
    list.add(ScenarioDefinition.of("model-pivot",
        "1,500 hydra accounts at two requests an hour on the current model switch to the new model 90 "
            + "minutes after its release, two hours in.",
        Duration.ofHours(6), TWO_HOURS,
        scale -> withBackground(scale, hydra("model-pivot", scale, 1_500)
            .requestsPerHourPerAccount(2)
            .models(ModelChoice.pivotAfterRelease(Duration.ofMinutes(90)))
            .build().population())));
    list.add(ScenarioDefinition.of("ban-and-replace",
        "Waves of 300 fresh accounts every 35 minutes, each account banned after 30-40 minutes of a "
            + "request every 6 minutes; same proxy pool and templates throughout.",
        Duration.ofHours(3), null,
        scale -> withBackground(scale, hydra("ban-and-replace", scale, 300)
            .requestsPerHourPerAccount(10)
            .waves(5, Duration.ofMinutes(35), Duration.ofMinutes(30), Duration.ofMinutes(40))
            .build().population())));
    list.add(ScenarioDefinition.of("low-and-slow",
        "300 accounts over three days, each a templated request about every four hours (30% jitter): "
            + "about 1.25 requests a minute in all.",
        Duration.ofDays(3), null,
        scale -> withBackground(scale, hydra("low-and-slow", scale, 300)
            .requestsPerHourPerAccount(0.25)
            .jitter(0.3)
            .startAfter(Duration.ofMinutes(30))
            .proxyPool(300, 8, 5)
            .build().population())));
    list.add(campaign("jittered-human-timing",
        "The hydra cluster disguised with human-like sessions: three requests a minute or so apart, then a "
            + "gap of one to two and a half hours; about two requests an hour per account.",
        scale -> hydra("jittered-human-timing", scale).humanLikeTiming().requestsPerHourPerAccount(2).build()));
    return list;
  }

  /**
   * The reseller's honest customers with a hydra campaign among them, sized so the campaign sends
   * {@code percent}% of the reseller's requests while it runs. Hydra accounts stay at 400 (scaled) and
   * their rate follows from the share.
   */
  private static ScenarioDefinition hydraInProxy(int percent) {
    String name = "hydra-in-proxy-" + percent;
    return ScenarioDefinition.of(name,
        "The api-aggregator's 600 customers with 400 hydra accounts among them, sending " + percent
            + "% of the reseller's requests once the campaign runs.",
        TWO_HOURS, null,
        scale -> {
          ApiAggregator reseller = new ApiAggregator(RESELLER);
          int customers = scaled(600, scale, 40);
          int hydraAccounts = scaled(400, scale, MIN_HYDRA_ACCOUNTS);
          double hydraPerMinute = ApiAggregator.expectedRequestsPerMinute(customers) * percent / (100.0 - percent);
          return withBackground(scale, reseller.customerPopulation(customers),
              CampaignSpec.builder(name + ":c1")
                  .accounts(hydraAccounts)
                  .requestsPerHourPerAccount(hydraPerMinute * 60 / hydraAccounts)
                  .through(reseller)
                  .build().population());
        });
  }

  private static CampaignSpec.Builder hydra(String scenario, double scale) {
    return hydra(scenario, scale, 2_000);
  }

  private static CampaignSpec.Builder hydra(String scenario, double scale, int accounts) {
    return CampaignSpec.builder(scenario + ":c1")
        .accounts(scaled(accounts, scale, MIN_HYDRA_ACCOUNTS))
        .proxyPool(scaled(600, scale, 60), 8, 5);
  }

  private static ScenarioDefinition benign(String name, String description,
      DoubleFunction<Population> population) {
    return ScenarioDefinition.of(name, description, TWO_HOURS, null,
        scale -> withBackground(scale, population.apply(scale)));
  }

  private static ScenarioDefinition campaign(String name, String description,
      DoubleFunction<CampaignSpec> campaign) {
    return ScenarioDefinition.of(name, description, TWO_HOURS, null,
        scale -> withBackground(scale, campaign.apply(scale).population()));
  }

  private static List<Population> withBackground(double scale, Population... populations) {
    List<Population> all = new ArrayList<>(OrganicTraffic.background(scale));
    all.addAll(List.of(populations));
    return all;
  }
}
