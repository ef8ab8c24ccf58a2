package dev.distillguard.simulate;

import dev.distillguard.simulate.account.AccountAges;
import dev.distillguard.simulate.account.AccountProfile;
import dev.distillguard.simulate.account.AccountProfiles;
import dev.distillguard.simulate.network.AddressPlan;
import dev.distillguard.simulate.network.AddressPlans;
import dev.distillguard.simulate.prompt.PromptPlan;
import dev.distillguard.simulate.prompt.PromptPlans;
import dev.distillguard.simulate.timing.HumanSessions;
import dev.distillguard.simulate.timing.Timing;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One distillation campaign, configurable: by default a hydra cluster of 2,000 young accounts, each
 * sending one templated reasoning or code prompt an hour (periodic with random phase, 10% jitter)
 * through a rotating proxy pool of 600 /24s at 8 networks in 5 countries, starting 25 minutes into the
 * scenario. Build with {@link #builder}, turn into a {@link Population} with {@link #population()}.
 */
public final class CampaignSpec {

  /** How far into the scenario campaigns start by default, so a detector's warm-up is visible. */
  public static final Duration DEFAULT_START = Duration.ofMinutes(25);
  /** The paraphrasing campaign's edits per request. */
  public static final int PARAPHRASE_MIN_EDITS = 3;
  public static final int PARAPHRASE_MAX_EDITS = 6;

  private static final double HUMAN_REQUESTS_PER_SESSION = 3;

  private final String campaignId;
  private final String populationName;
  private final int accounts;
  private final double requestsPerHour;
  private final double jitter;
  private final boolean humanLike;
  private final Duration startAfter;
  private final Duration activeFor;
  private final int waves;
  private final Duration wavePeriod;
  private final Duration minLife;
  private final Duration maxLife;
  private final AddressPlan addresses;
  private final ApiAggregator aggregator;
  private final List<String> templates;
  private final boolean paraphrase;
  private final ModelChoice models;
  private final int batchSize;
  private final Duration createdMinBefore;
  private final Duration createdMaxBefore;
  private final int paymentCards;
  private final int clientStrings;
  private final StatusCodes statusCodes;

  private CampaignSpec(Builder b) {
    this.campaignId = b.campaignId;
    this.populationName = b.populationName;
    this.accounts = b.accounts;
    this.requestsPerHour = b.requestsPerHour;
    this.jitter = b.jitter;
    this.humanLike = b.humanLike;
    this.startAfter = b.startAfter;
    this.activeFor = b.activeFor;
    this.waves = b.waves;
    this.wavePeriod = b.wavePeriod;
    this.minLife = b.minLife;
    this.maxLife = b.maxLife;
    this.addresses = b.addresses;
    this.aggregator = b.aggregator;
    this.templates = b.templates;
    this.paraphrase = b.paraphrase;
    this.models = b.models;
    this.batchSize = b.batchSize;
    this.createdMinBefore = b.createdMinBefore;
    this.createdMaxBefore = b.createdMaxBefore;
    this.paymentCards = b.paymentCards;
    this.clientStrings = b.clientStrings;
    this.statusCodes = b.statusCodes;
  }

  public static Builder builder(String campaignId) {
    return new Builder(campaignId);
  }

  /** Accounts in all waves together. */
  public int totalAccounts() {
    return accounts * waves;
  }

  /** The campaign as a population of the scenario. */
  public Population population() {
    AccountAges ages = AccountAges.batches(batchSize, createdMinBefore, createdMaxBefore);
    AccountProfile profile = aggregator != null
        ? aggregator.customers(ages)
        : AccountProfiles.campaign(ages, paymentCards, clientStrings);
    AddressPlan route = aggregator != null ? aggregator.egress() : addresses;
    PromptPlan prompts = paraphrase
        ? PromptPlans.paraphrasedTemplates(templates, PARAPHRASE_MIN_EDITS, PARAPHRASE_MAX_EDITS)
        : PromptPlans.templates(templates);
    ActivityWindow activity;
    if (wavePeriod != null) {
      activity = ActivityWindow.waves(startAfter, accounts, wavePeriod, minLife, maxLife);
    } else if (activeFor != null) {
      activity = ActivityWindow.between(startAfter, startAfter.plus(activeFor));
    } else {
      activity = ActivityWindow.from(startAfter);
    }
    return Population.builder(populationName, totalAccounts())
        .campaign(campaignId)
        .profile(profile)
        .addresses(route)
        .timing(timing())
        .prompts(prompts)
        .models(models)
        .activity(activity)
        .statusCodes(statusCodes)
        .build();
  }

  private Timing timing() {
    if (humanLike) {
      // Sessions of three requests whose mean gap gives the configured hourly rate, spread 0.6x..1.6x.
      double meanGapHours = HUMAN_REQUESTS_PER_SESSION / requestsPerHour;
      return new HumanSessions(HUMAN_REQUESTS_PER_SESSION, Duration.ofSeconds(75),
          hours(meanGapHours * 0.6), hours(meanGapHours * 1.6));
    }
    return Timing.periodic(hours(1 / requestsPerHour), jitter);
  }

  private static Duration hours(double hours) {
    return Duration.ofMillis(Math.max(1, Math.round(hours * 3_600_000)));
  }

  /** Builds a {@link CampaignSpec}; every setting starts at the hydra-cluster default. */
  public static final class Builder {
    private final String campaignId;
    private String populationName = "hydra";
    private int accounts = 2_000;
    private double requestsPerHour = 1;
    private double jitter = 0.1;
    private boolean humanLike;
    private Duration startAfter = DEFAULT_START;
    private Duration activeFor;
    private int waves = 1;
    private Duration wavePeriod;
    private Duration minLife;
    private Duration maxLife;
    private AddressPlan addresses = AddressPlans.rotatingProxyPool(600, 8, 5);
    private ApiAggregator aggregator;
    private List<String> templates = List.of("reasoning-stepwise", "code-trace");
    private boolean paraphrase;
    private ModelChoice models = ModelChoice.currentFlagship();
    private int batchSize = 100;
    private Duration createdMinBefore = Duration.ofHours(6);
    private Duration createdMaxBefore = Duration.ofDays(5);
    private int paymentCards = 4;
    private int clientStrings = 2;
    private StatusCodes statusCodes = StatusCodes.TYPICAL;

    private Builder(String campaignId) {
      this.campaignId = Objects.requireNonNull(campaignId);
    }

    /** The population name in the labels (default {@code hydra}). */
    public Builder population(String name) {
      this.populationName = Objects.requireNonNull(name);
      return this;
    }

    /** Accounts (per wave, when in waves). */
    public Builder accounts(int accounts) {
      if (accounts < 1) {
        throw new IllegalArgumentException("a campaign needs accounts: " + accounts);
      }
      this.accounts = accounts;
      return this;
    }

    public Builder requestsPerHourPerAccount(double requestsPerHour) {
      if (!(requestsPerHour > 0)) {
        throw new IllegalArgumentException("rate must be positive: " + requestsPerHour);
      }
      this.requestsPerHour = requestsPerHour;
      return this;
    }

    /** Uniform relative jitter of the periodic timing, in [0, 1). */
    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    /** Human-like sessions (three requests, think time, long gaps) instead of a periodic script. */
    public Builder humanLikeTiming() {
      this.humanLike = true;
      return this;
    }

    public Builder startAfter(Duration startAfter) {
      this.startAfter = Objects.requireNonNull(startAfter);
      return this;
    }

    /** Stops this long after the start; by default the campaign runs to the end of the scenario. */
    public Builder activeFor(Duration activeFor) {
      this.activeFor = Objects.requireNonNull(activeFor);
      return this;
    }

    /**
     * Runs in {@code waves} waves of {@link #accounts} fresh accounts, one every {@code period}; each
     * account stops (is banned) after {@code minLife..maxLife}. Same proxies and templates throughout.
     */
    public Builder waves(int waves, Duration period, Duration minLife, Duration maxLife) {
      if (waves < 1) {
        throw new IllegalArgumentException("waves: " + waves);
      }
      this.waves = waves;
      this.wavePeriod = Objects.requireNonNull(period);
      this.minLife = Objects.requireNonNull(minLife);
      this.maxLife = Objects.requireNonNull(maxLife);
      return this;
    }

    /** A rotating proxy pool of {@code subnets} /24s at {@code asns} networks in {@code countries} countries. */
    public Builder proxyPool(int subnets, int asns, int countries) {
      return addresses(AddressPlans.rotatingProxyPool(subnets, asns, countries));
    }

    /** Any address plan, such as {@link AddressPlans#residentialRotation()}. */
    public Builder addresses(AddressPlan addresses) {
      this.addresses = Objects.requireNonNull(addresses);
      this.aggregator = null;
      return this;
    }

    /** Buys access through a reseller: its egress, organisation, card and client string. */
    public Builder through(ApiAggregator aggregator) {
      this.aggregator = Objects.requireNonNull(aggregator);
      return this;
    }

    /** Names of {@link dev.distillguard.simulate.prompt.ExtractionTemplate}s the script fills. */
    public Builder templates(List<String> templates) {
      if (templates.isEmpty()) {
        throw new IllegalArgumentException("a campaign needs templates");
      }
      this.templates = List.copyOf(templates);
      return this;
    }

    /** Paraphrases a few words of every request, so each SimHash drifts several bits from its template. */
    public Builder paraphrase() {
      this.paraphrase = true;
      return this;
    }

    public Builder models(ModelChoice models) {
      this.models = Objects.requireNonNull(models);
      return this;
    }

    /** Accounts are registered in batches of {@code batchSize}, {@code minBefore..maxBefore} before use. */
    public Builder createdInBatches(int batchSize, Duration minBefore, Duration maxBefore) {
      this.batchSize = batchSize;
      this.createdMinBefore = Objects.requireNonNull(minBefore);
      this.createdMaxBefore = Objects.requireNonNull(maxBefore);
      return this;
    }

    /** How many payment cards and scripted client strings the accounts share. */
    public Builder sharedIdentity(int paymentCards, int clientStrings) {
      this.paymentCards = paymentCards;
      this.clientStrings = clientStrings;
      return this;
    }

    public Builder statusCodes(StatusCodes statusCodes) {
      this.statusCodes = Objects.requireNonNull(statusCodes);
      return this;
    }

    public CampaignSpec build() {
      if (jitter < 0 || jitter >= 1) {
        throw new IllegalArgumentException("jitter must be in [0, 1): " + jitter);
      }
      return new CampaignSpec(this);
    }
  }
}
