package dev.distillguard.simulate;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** Counts of a stream of labelled calls, overall and per scenario and population. */
public final class TrafficSummary implements Consumer<LabelledCall> {

  /** What one population of one scenario sent. */
  public static final class PopulationCounts {
    private final String scenario;
    private final String population;
    private final String campaignId;
    private final Set<String> accounts = new HashSet<>();
    private long events;
    private long firstMillis = Long.MAX_VALUE;
    private long lastMillis = Long.MIN_VALUE;

    private PopulationCounts(Label label) {
      this.scenario = label.scenario();
      this.population = label.population();
      this.campaignId = label.campaignId();
    }

    public String scenario() {
      return scenario;
    }

    public String population() {
      return population;
    }

    /** Null for benign populations. */
    public String campaignId() {
      return campaignId;
    }

    public long events() {
      return events;
    }

    public int accounts() {
      return accounts.size();
    }

    public Instant first() {
      return Instant.ofEpochMilli(firstMillis);
    }

    public Instant last() {
      return Instant.ofEpochMilli(lastMillis);
    }

    /** Mean requests a minute between the population's first and last call. */
    public double requestsPerMinute() {
      long millis = lastMillis - firstMillis;
      return millis <= 0 ? events : events * 60_000.0 / millis;
    }
  }

  private final Map<Label, PopulationCounts> byLabel = new LinkedHashMap<>();
  private final Set<String> accounts = new HashSet<>();
  private long events;
  private long campaignEvents;
  private long firstMillis = Long.MAX_VALUE;
  private long lastMillis = Long.MIN_VALUE;

  @Override
  public void accept(LabelledCall call) {
    long time = call.call().getEventTime().toEpochMilli();
    String account = call.call().getAccountId();
    PopulationCounts counts = byLabel.computeIfAbsent(call.label(), PopulationCounts::new);
    counts.events++;
    counts.accounts.add(account);
    counts.firstMillis = Math.min(counts.firstMillis, time);
    counts.lastMillis = Math.max(counts.lastMillis, time);
    accounts.add(account);
    events++;
    if (call.label().campaign()) {
      campaignEvents++;
    }
    firstMillis = Math.min(firstMillis, time);
    lastMillis = Math.max(lastMillis, time);
  }

  public long events() {
    return events;
  }

  public long campaignEvents() {
    return campaignEvents;
  }

  public int accounts() {
    return accounts.size();
  }

  /** Event time from the first call to the last; zero when there were none. */
  public Duration eventTimeSpan() {
    return events == 0 ? Duration.ZERO : Duration.ofMillis(lastMillis - firstMillis);
  }

  public List<PopulationCounts> populations() {
    return List.copyOf(byLabel.values());
  }

  /** One line per population, then the totals. */
  public String format() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("%-24s %-22s %-30s %10s %9s %9s%n", "scenario", "population", "campaign", "events",
        "accounts", "req/min"));
    for (PopulationCounts c : byLabel.values()) {
      out.append(String.format("%-24s %-22s %-30s %10d %9d %9.1f%n", c.scenario, c.population,
          c.campaignId == null ? "-" : c.campaignId, c.events, c.accounts(), c.requestsPerMinute()));
    }
    out.append(String.format("%d events, %d accounts, %d campaign events (%.1f%%), event time %s%s%n", events,
        accounts(), campaignEvents, events == 0 ? 0.0 : 100.0 * campaignEvents / events, eventTimeSpan(),
        events == 0 ? "" : " from " + Instant.ofEpochMilli(firstMillis) + " to " + Instant.ofEpochMilli(lastMillis)));
    return out.toString();
  }
}
