package dev.distillguard.simulate;

import dev.distillguard.simulate.account.AccountProfile;
import dev.distillguard.simulate.account.AccountProfiles;
import dev.distillguard.simulate.network.AddressPlan;
import dev.distillguard.simulate.network.AddressPlans;
import dev.distillguard.simulate.prompt.PromptPlan;
import dev.distillguard.simulate.prompt.PromptPlans;
import dev.distillguard.simulate.timing.Timing;
import java.util.Objects;

/**
 * A group of accounts that behave alike: who they are, where they send from, when and what they send.
 * Every account of a population carries the same {@link Label}, apart from the scenario name. Build one
 * with {@link #builder}; {@link OrganicTraffic} and {@link CampaignSpec} build the standard ones.
 */
public final class Population {

  private final String name;
  private final int accounts;
  private final String campaignId;
  private final AccountProfile profile;
  private final AddressPlan addresses;
  private final Timing timing;
  private final PromptPlan prompts;
  private final ModelChoice models;
  private final ActivityWindow activity;
  private final StatusCodes statusCodes;

  private Population(Builder b) {
    this.name = b.name;
    this.accounts = b.accounts;
    this.campaignId = b.campaignId;
    this.profile = b.profile;
    this.addresses = b.addresses;
    this.timing = b.timing;
    this.prompts = b.prompts;
    this.models = b.models;
    this.activity = b.activity;
    this.statusCodes = b.statusCodes;
  }

  /**
   * A population of benign individuals at home, chatting in human sessions, active throughout; every
   * aspect can be replaced.
   */
  public static Builder builder(String name, int accounts) {
    return new Builder(name, accounts);
  }

  public String name() {
    return name;
  }

  public int accounts() {
    return accounts;
  }

  /** The campaign the population belongs to, or null for benign traffic. */
  public String campaignId() {
    return campaignId;
  }

  public boolean campaign() {
    return campaignId != null;
  }

  public AccountProfile profile() {
    return profile;
  }

  public AddressPlan addresses() {
    return addresses;
  }

  public Timing timing() {
    return timing;
  }

  public PromptPlan prompts() {
    return prompts;
  }

  public ModelChoice models() {
    return models;
  }

  public ActivityWindow activity() {
    return activity;
  }

  public StatusCodes statusCodes() {
    return statusCodes;
  }

  /** The label of this population's calls in {@code scenario}. */
  public Label label(String scenario) {
    return new Label(scenario, name, campaign(), campaignId, addresses.shared());
  }

  /** Builds a {@link Population}; starts from benign chatting individuals at home. */
  public static final class Builder {
    private final String name;
    private final int accounts;
    private String campaignId;
    private AccountProfile profile = AccountProfiles.individuals();
    private AddressPlan addresses = AddressPlans.homeBroadband();
    private Timing timing = OrganicTraffic.CASUAL_SESSIONS;
    private PromptPlan prompts = PromptPlans.organic();
    private ModelChoice models = ModelChoice.organic();
    private ActivityWindow activity = ActivityWindow.throughout();
    private StatusCodes statusCodes = StatusCodes.TYPICAL;

    private Builder(String name, int accounts) {
      if (name == null || name.isBlank() || accounts < 1) {
        throw new IllegalArgumentException("a population needs a name and at least one account: " + name);
      }
      this.name = name;
      this.accounts = accounts;
    }

    /** Marks every call of the population as part of campaign {@code campaignId}. */
    public Builder campaign(String campaignId) {
      this.campaignId = Objects.requireNonNull(campaignId);
      return this;
    }

    public Builder profile(AccountProfile profile) {
      this.profile = Objects.requireNonNull(profile);
      return this;
    }

    public Builder addresses(AddressPlan addresses) {
      this.addresses = Objects.requireNonNull(addresses);
      return this;
    }

    public Builder timing(Timing timing) {
      this.timing = Objects.requireNonNull(timing);
      return this;
    }

    public Builder prompts(PromptPlan prompts) {
      this.prompts = Objects.requireNonNull(prompts);
      return this;
    }

    public Builder models(ModelChoice models) {
      this.models = Objects.requireNonNull(models);
      return this;
    }

    public Builder activity(ActivityWindow activity) {
      this.activity = Objects.requireNonNull(activity);
      return this;
    }

    public Builder statusCodes(StatusCodes statusCodes) {
      this.statusCodes = Objects.requireNonNull(statusCodes);
      return this;
    }

    public Population build() {
      return new Population(this);
    }
  }
}
