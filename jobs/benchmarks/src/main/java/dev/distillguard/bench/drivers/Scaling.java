package dev.distillguard.bench.drivers;

import dev.distillguard.bench.load.GatewayLoad;
import dev.distillguard.testkit.LocalKafkaBroker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;

/**
 * How cost grows with the number of active keys and with one hot key: the live job's saturation
 * throughput over the same number of calls spread over 10k, 100k and 1M accounts, and with one subnet
 * (a carrier NAT) carrying a share of all calls.
 */
public final class Scaling {

  private Scaling() {}

  public static void main(String[] argv) {
    BenchEnvironment.exitWhenDone(() -> measure(argv));
  }

  private static void measure(String[] argv) throws Exception {
    BenchArgs args = new BenchArgs(argv, "bin/bench scaling [--state heap|rocksdb] [--changelog true|false] [--checkpoint-interval 2s] [--records N] [--rate R] "
        + "[--hot-share X] [--partitions N] [--parallelism N]");
    long records = args.longValue("records", 1_000_000);
    double rate = args.doubleValue("rate", 500);
    double hotShare = args.doubleValue("hot-share", 0.3);
    BenchEnvironment.State state = BenchEnvironment.state(args);
    int partitions = args.intValue("partitions", 4);
    int parallelism = args.intValue("parallelism", 2);
    String checkpointInterval = args.string("checkpoint-interval", "2s");
    args.requireAllKnown();
    Instant start = Instant.parse("2026-03-02T00:00:00Z");
    List<GatewayLoad> loads = List.of(
        new GatewayLoad(records, 10_000, rate, 0, 0.02, 7, start),
        new GatewayLoad(records, 100_000, rate, 0, 0.02, 7, start),
        new GatewayLoad(records, 1_000_000, rate, 0, 0.02, 7, start),
        new GatewayLoad(records, 100_000, rate, hotShare, 0.02, 7, start));
    List<LiveThroughput.Measurement> results = new ArrayList<>();
    KafkaCeiling.Ceiling ceiling;
    try (LocalKafkaBroker broker = BenchEnvironment.startBroker()) {
      // Not reported: the first run of a JVM pays for class loading and JIT compilation.
      LiveThroughput.Measurement warmUp = LiveThroughput.run(broker,
          new GatewayLoad(Math.max(records / 5, 1), 10_000, rate, 0, 0.02, 8, start), state, partitions, parallelism,
          checkpointInterval);
      System.out.println("warm-up (not reported): " + warmUp.describe());
      for (GatewayLoad load : loads) {
        LiveThroughput.Measurement m = LiveThroughput.run(broker, load, state, partitions, parallelism,
            checkpointInterval);
        System.out.println("measured: " + m.describe());
        results.add(m);
      }
      // Every load has the same number of records of the same size: one copy job is the ceiling for all.
      ceiling = KafkaCeiling.run(broker, loads.get(0).topicName(), records, parallelism,
          RuntimeExecutionMode.STREAMING, checkpointInterval);
    }
    for (LiveThroughput.Measurement m : results) {
      System.out.println("RESULT scaling " + m.describe() + "; " + ceiling.share(m.callsPerSecond()));
    }
    double base = results.get(0).callsPerSecond();
    System.out.printf(java.util.Locale.ROOT, "RESULT scaling ratios to 10k accounts: 100k %.2f, 1M %.2f, "
        + "100k with a hot subnet %.2f%n", results.get(1).callsPerSecond() / base,
        results.get(2).callsPerSecond() / base, results.get(3).callsPerSecond() / base);
  }
}
