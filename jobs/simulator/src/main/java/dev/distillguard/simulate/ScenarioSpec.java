package dev.distillguard.simulate;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A custom mix: the organic background at some scale plus, optionally, one configurable campaign. The
 * demo's "organic traffic plus one hydra campaign" is
 *
 * <pre>{@code
 * Scenario demo = ScenarioSpec.builder("demo")
 *     .seed(7)
 *     .organicScale(1.0)
 *     .campaign(CampaignSpec.builder("demo:c1").accounts(2_000).proxyPool(600, 8, 5)
 *         .templates(List.of("reasoning-stepwise")).requestsPerHourPerAccount(1).jitter(0.1)
 *         .startAfter(Duration.ofMinutes(20)).build())
 *     .build()
 *     .scenario();
 * }</pre>
 *
 * For anything else, compose {@link Population}s with {@link Scenario#builder}.
 */
public record ScenarioSpec(String name, long seed, Instant start, Duration span, double organicScale,
    CampaignSpec campaign) {

  public ScenarioSpec {
    Objects.requireNonNull(name);
    Objects.requireNonNull(start);
    Objects.requireNonNull(span);
    if (!(organicScale > 0)) {
      throw new IllegalArgumentException("organic scale must be positive: " + organicScale);
    }
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public Scenario scenario() {
    Scenario.Builder builder = Scenario.builder(name).seed(seed).start(start).span(span)
        .populations(OrganicTraffic.background(organicScale));
    if (campaign != null) {
      builder.population(campaign.population());
    }
    return builder.build();
  }

  /** Builds a {@link ScenarioSpec}: by default two hours of organic background at scale 1, no campaign. */
  public static final class Builder {
    private final String name;
    private long seed = 1;
    private Instant start = Scenario.DEFAULT_START;
    private Duration span = Scenario.DEFAULT_SPAN;
    private double organicScale = 1;
    private CampaignSpec campaign;

    private Builder(String name) {
      this.name = name;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder start(Instant start) {
      this.start = start;
      return this;
    }

    public Builder span(Duration span) {
      this.span = span;
      return this;
    }

    public Builder organicScale(double organicScale) {
      this.organicScale = organicScale;
      return this;
    }

    public Builder campaign(CampaignSpec campaign) {
      this.campaign = campaign;
      return this;
    }

    public ScenarioSpec build() {
      return new ScenarioSpec(name, seed, start, span, organicScale, campaign);
    }
  }
}
