package dev.distillguard.simulate;

import dev.distillguard.simulate.account.AccountProfile;
import dev.distillguard.simulate.account.Ids;
import dev.distillguard.simulate.network.AddressPlan;
import dev.distillguard.simulate.network.Internet;
import dev.distillguard.simulate.prompt.PromptPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A seeded, labelled stream of gateway calls: populations of accounts over an event-time span. The same
 * scenario iterated twice gives the same calls, byte for byte; calls come in non-decreasing event time
 * and are generated lazily, one account's next call at a time.
 *
 * <p>A scenario is one or more {@link Part parts} running concurrently: a catalogue scenario or a
 * custom mix is one part; {@link #concurrent} overlays several (the simulator's {@code all}).
 */
public final class Scenario implements Iterable<LabelledCall> {

  /** Scenarios run for two hours unless they need longer. */
  public static final Duration DEFAULT_SPAN = Duration.ofHours(2);
  /** Where scenarios start unless told otherwise: a fixed instant, so runs repeat without arguments. */
  public static final Instant DEFAULT_START = Instant.parse("2025-06-02T09:00:00Z");

  /**
   * One scenario's populations over its span, with its own seed.
   *
   * @param name the scenario name its calls are labelled with
   */
  public record Part(String name, long seed, Instant start, Instant end, ModelLineup lineup, Internet internet,
      List<Population> populations) {

    public Part {
      if (!end.isAfter(start)) {
        throw new IllegalArgumentException("scenario " + name + " ends before it starts");
      }
      populations = List.copyOf(populations);
    }
  }

  private final String name;
  private final List<Part> parts;

  private Scenario(String name, List<Part> parts) {
    this.name = name;
    this.parts = List.copyOf(parts);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Runs the parts of several scenarios at once, each with its own seed and labels. */
  public static Scenario concurrent(String name, List<Scenario> scenarios) {
    return new Scenario(name, scenarios.stream().flatMap(s -> s.parts.stream()).toList());
  }

  public String name() {
    return name;
  }

  public List<Part> parts() {
    return parts;
  }

  public Instant start() {
    return parts.stream().map(Part::start).min(Comparator.naturalOrder()).orElseThrow();
  }

  public Instant end() {
    return parts.stream().map(Part::end).max(Comparator.naturalOrder()).orElseThrow();
  }

  /** The calls, from a fresh start each time. */
  @Override
  public Iterator<LabelledCall> iterator() {
    List<Actor> actors = new ArrayList<>();
    for (Part part : parts) {
      addActors(part, actors);
    }
    return new ActorMerge(actors);
  }

  /** The calls as a sequential, ordered, lazy stream. */
  public Stream<LabelledCall> stream() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(),
        Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE), false);
  }

  /**
   * Lays out one part: prepares each population (account profile, address plan, prompt plan) and
   * creates its accounts. A plan object used by several populations is prepared once, so they share it
   * (an aggregator's egress carries both its customers and the campaign among them).
   */
  private static void addActors(Part part, List<Actor> actors) {
    long startMillis = part.start().toEpochMilli();
    long endMillis = part.end().toEpochMilli();
    Ids ids = new Ids(part.seed());
    SplittableRandom scenarioRng = new SplittableRandom(Ids.mix(part.seed()));
    long requestIdSalt = scenarioRng.nextLong();
    Map<AddressPlan, AddressPlan.Assigner> preparedAddresses = new IdentityHashMap<>();
    for (Population population : part.populations()) {
      SplittableRandom populationRng = scenarioRng.split();
      Label label = population.label(part.name());
      AccountProfile.Factory accounts = population.profile().prepare(ids, populationRng);
      AddressPlan.Assigner addresses = preparedAddresses.computeIfAbsent(population.addresses(),
          plan -> plan.prepare(part.internet(), populationRng));
      PromptPlan.Assigner prompts = population.prompts().prepare(populationRng);
      for (int i = 0; i < population.accounts(); i++) {
        SplittableRandom accountRng = populationRng.split();
        ActivityWindow.Window window = population.activity().window(i, startMillis, endMillis, accountRng);
        if (window.isEmpty()) {
          continue;
        }
        long order = actors.size();
        actors.add(new Actor(order, label, accounts.create(i, window.fromMillis(), accountRng),
            addresses.forAccount(accountRng), prompts.forAccount(accountRng),
            population.timing().start(window.fromMillis(), window.untilMillis(), accountRng),
            population.models(), part.lineup(), population.statusCodes(), accountRng,
            Ids.mix(requestIdSalt + order)));
      }
    }
  }

  /** Builds a one-part scenario. */
  public static final class Builder {
    private final String name;
    private long seed = 1;
    private Instant start = DEFAULT_START;
    private Duration span = DEFAULT_SPAN;
    private Duration nextModelReleaseOffset;
    private Internet internet = Internet.standard();
    private final List<Population> populations = new ArrayList<>();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name);
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder start(Instant start) {
      this.start = Objects.requireNonNull(start);
      return this;
    }

    public Builder span(Duration span) {
      this.span = Objects.requireNonNull(span);
      return this;
    }

    /** Releases the next model this long after the start; by default it comes out after the scenario. */
    public Builder nextModelReleasedAfter(Duration offset) {
      this.nextModelReleaseOffset = Objects.requireNonNull(offset);
      return this;
    }

    public Builder internet(Internet internet) {
      this.internet = Objects.requireNonNull(internet);
      return this;
    }

    public Builder population(Population population) {
      populations.add(Objects.requireNonNull(population));
      return this;
    }

    public Builder populations(List<Population> more) {
      more.forEach(this::population);
      return this;
    }

    public Scenario build() {
      if (populations.isEmpty()) {
        throw new IllegalStateException("scenario " + name + " has no populations");
      }
      Instant release = start.plus(nextModelReleaseOffset != null ? nextModelReleaseOffset : span.plusDays(30));
      Part part = new Part(name, seed, start, start.plus(span), ModelLineup.releasingNextAt(release), internet,
          populations);
      return new Scenario(name, List.of(part));
    }
  }
}
