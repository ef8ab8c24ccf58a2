package dev.distillguard.simulate;

import dev.distillguard.simulate.account.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A named, labelled kind of traffic in the {@link ScenarioCatalogue}: which populations at a given scale,
 * over which span. A new scenario is a small class implementing this (or a {@link #of} call) added to
 * the catalogue.
 */
public interface ScenarioDefinition {

  String name();

  /** What the scenario shows, in a sentence or two, for listings. */
  String description();

  /** Event-time span of the scenario. */
  default Duration span() {
    return Scenario.DEFAULT_SPAN;
  }

  /** When the next model is released, after the start; empty when it is released after the scenario. */
  default Optional<Duration> nextModelRelease() {
    return Optional.empty();
  }

  /**
   * The populations at {@code scale}: 1.0 is the default size, 0.05 small for tests, 10 for benchmarks.
   * Account counts scale, but stay above the minimum that still shows the behaviour.
   */
  List<Population> populations(double scale);

  /**
   * This scenario with the seed derived from {@code seed} and the name, so that each scenario of a
   * run gets its own ids and randomness and a scenario alone equals its part of {@code all}.
   */
  default Scenario scenario(long seed, double scale, Instant start) {
    Scenario.Builder builder = Scenario.builder(name())
        .seed(Ids.mix(seed * 31 + name().hashCode()))
        .start(start)
        .span(span())
        .populations(populations(scale));
    nextModelRelease().ifPresent(builder::nextModelReleasedAfter);
    return builder.build();
  }

  /** A definition from its parts. */
  static ScenarioDefinition of(String name, String description, Duration span, Duration nextModelRelease,
      Scaled populations) {
    return new ScenarioDefinition() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public Duration span() {
        return span;
      }

      @Override
      public Optional<Duration> nextModelRelease() {
        return Optional.ofNullable(nextModelRelease);
      }

      @Override
      public List<Population> populations(double scale) {
        return populations.at(scale);
      }
    };
  }

  /** The populations of a scenario as a function of scale. */
  @FunctionalInterface
  interface Scaled {
    List<Population> at(double scale);
  }
}
