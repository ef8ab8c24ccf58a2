package dev.distillguard.simulate;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Command line: generates a catalogue scenario and writes it to the gateway topic, with its labels in a
 * side file, or with {@code --dry-run} only counts it.
 *
 * <pre>
 * Simulate --scenario NAME|all [--scale 1.0] [--seed 1] [--start 2025-06-02T09:00:00Z]
 *          --bootstrap HOST:PORT [--topic gateway.api-calls] --labels FILE [--partitions 6]
 *          [--compression lz4]
 * Simulate --scenario NAME|all --dry-run [--labels FILE] ...
 * Simulate --list
 * </pre>
 */
public final class Simulate {

  static final String DEFAULT_TOPIC = "gateway.api-calls";
  private static final Set<String> FLAGS = Set.of("--dry-run", "--list", "--help");
  private static final Set<String> OPTIONS = Set.of("--scenario", "--scale", "--seed", "--start", "--bootstrap",
      "--topic", "--labels", "--partitions", "--compression");
  private static final String USAGE = String.join("\n",
      "usage: Simulate --scenario NAME|all [--scale X] [--seed N] [--start ISO8601]",
      "                --bootstrap HOST:PORT [--topic T] --labels FILE [--partitions N] [--compression C]",
      "       Simulate --scenario NAME|all --dry-run [--labels FILE] [--scale X] [--seed N] [--start ISO8601]",
      "       Simulate --list",
      "  --scale       account counts relative to the default (1.0); 0.05 small, 10 for benchmarks",
      "  --seed        same seed, scale and start give byte-identical output (default 1)",
      "  --start       event time of the scenario start (default " + Scenario.DEFAULT_START + ")",
      "  --topic       gateway topic (default " + DEFAULT_TOPIC + "), created if missing",
      "  --partitions  partitions of a topic the simulator creates (default 6)",
      "  --compression producer compression: lz4 (default), gzip, snappy, zstd or none",
      "  --labels      CSV of ground truth per request id",
      "  --dry-run     generate and count per population, write nothing to Kafka");

  private Simulate() {}

  public static void main(String[] args) {
    try {
      System.exit(run(args, System.out));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
    }
  }

  static int run(String[] args, PrintStream out) {
    Map<String, String> options = parse(args);
    ScenarioCatalogue catalogue = ScenarioCatalogue.standard();
    if (options.containsKey("--help")) {
      out.println(USAGE);
      return 0;
    }
    if (options.containsKey("--list")) {
      for (ScenarioDefinition d : catalogue.definitions()) {
        out.printf("%-24s %-9s %s%n", d.name(), d.span(), d.description());
      }
      return 0;
    }
    String name = required(options, "--scenario");
    double scale = Double.parseDouble(options.getOrDefault("--scale", "1"));
    long seed = Long.parseLong(options.getOrDefault("--seed", "1"));
    Instant start = parseInstant(options.getOrDefault("--start", Scenario.DEFAULT_START.toString()));
    Scenario scenario = catalogue.scenario(name, seed, scale, start);
    boolean dryRun = options.containsKey("--dry-run");
    String labels = dryRun ? options.get("--labels") : required(options, "--labels");

    TrafficSummary summary = new TrafficSummary();
    long wallStart = System.nanoTime();
    try (LabelFile.Writer labelWriter = labels == null ? null : LabelFile.writer(Path.of(labels))) {
      if (dryRun) {
        for (LabelledCall call : scenario) {
          summary.accept(call);
          if (labelWriter != null) {
            labelWriter.accept(call);
          }
        }
      } else {
        String bootstrap = required(options, "--bootstrap");
        String topic = options.getOrDefault("--topic", DEFAULT_TOPIC);
        KafkaTrafficWriter.createTopicIfMissing(bootstrap, topic,
            Integer.parseInt(options.getOrDefault("--partitions", "6")));
        Properties producer = KafkaTrafficWriter.producerProperties(bootstrap);
        producer.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, options.getOrDefault("--compression", "lz4"));
        try (KafkaTrafficWriter writer = new KafkaTrafficWriter(producer, topic)) {
          for (Iterator<LabelledCall> calls = scenario.iterator(); calls.hasNext(); ) {
            LabelledCall call = calls.next();
            writer.write(call.call());
            labelWriter.accept(call);
            summary.accept(call);
          }
        }
        out.printf("wrote to topic %s at %s, labels to %s%n", topic, bootstrap, labels);
      }
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - wallStart);
    out.print(summary.format());
    out.printf("scenario %s, seed %d, scale %s, %s to %s; %d events in %.1f s wall time (%.0f events/s)%n",
        name, seed, scale, scenario.start(), scenario.end(), summary.events(), wall.toMillis() / 1000.0,
        summary.events() / Math.max(1e-3, wall.toNanos() / 1e9));
    return 0;
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (FLAGS.contains(arg)) {
        options.put(arg, "true");
      } else if (OPTIONS.contains(arg) && i + 1 < args.length) {
        options.put(arg, args[++i]);
      } else {
        throw new IllegalArgumentException("unknown or incomplete argument: " + arg);
      }
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }

  private static Instant parseInstant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("--start must be an ISO-8601 instant such as 2025-06-02T09:00:00Z: " + text);
    }
  }
}
