package dev.distillguard.bench.drivers;

import dev.distillguard.bench.load.GatewayLoad;
import dev.distillguard.bench.load.LoadWriter;
import dev.distillguard.detector.backfill.Backfill;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.testkit.LocalKafkaBroker;
import dev.distillguard.workbench.LocalDetectorRun;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Batch backfill throughput: {@code --records} calls (16 million by default, the largest public
 * campaign) are written to a real local broker, then the backfill replays their whole range in Flink's
 * BATCH mode on the local environment and writes its decisions back. The figure is records read per
 * second of the backfill's own wall time (job submission to finish); writing the topic is not counted.
 */
public final class BackfillThroughput {

  private BackfillThroughput() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = new BenchArgs(argv, "bin/bench backfill " + BenchEnvironment.LOAD_USAGE
        + " [--execution batch|streaming]");
    GatewayLoad load = BenchEnvironment.load(args, 16_000_000, 100_000, 20_000,
        Instant.parse("2026-03-02T00:00:00Z"));
    int partitions = args.intValue("partitions", 4);
    int parallelism = args.intValue("parallelism", 2);
    String execution = args.string("execution", "batch");
    args.requireAllKnown();

    try (LocalKafkaBroker broker = BenchEnvironment.startBroker()) {
      String topic = load.topicName();
      LoadWriter.writeAll(broker, topic, partitions, load, System.out);
      Instant to = load.start().plus(load.span()).plusMillis(1);
      DetectorConfig config = LocalDetectorRun.config(broker, "--input.topic", topic, "--mode", "backfill",
          "--backfill.from", load.start().toString(), "--backfill.to", to.toString(),
          "--backfill.execution", execution, "--backfill.output-topic", "bench.backfill.decisions",
          "--backfill.progress-interval", "10s");
      LocalDetectorRun.createPolicyTopics(broker, config);
      broker.createTopic(config.backfill().outputTopic(), 1);
      broker.createTopic(config.backfill().deadLetterTopic(), 1);
      Path checkpoints = BenchEnvironment.tempDir("distill-guard-bench-checkpoints-");
      try {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism,
            BenchEnvironment.flink(Backfill.jobConfiguration(config), BenchEnvironment.StateBackend.HEAP,
                checkpoints, checkpoints));
        Backfill.Summary summary = Backfill.run(env, config, System.out);
        double seconds = summary.wallTime().toMillis() / 1000.0;
        System.out.printf(Locale.ROOT, "RESULT backfill %s: %,d records read in %.1f s = %,.0f records/s "
                + "(parallelism %d, %d partitions, %,d accounts); 16M records would take %.0f s%n",
            execution, summary.recordsRead(), seconds, summary.recordsRead() / seconds, parallelism, partitions,
            load.accounts(), 16_000_000 / (summary.recordsRead() / seconds));
        KafkaCeiling.Ceiling ceiling = KafkaCeiling.run(broker, topic, summary.recordsRead(), parallelism,
            "batch".equals(execution) ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING, "2s");
        System.out.println("RESULT backfill " + execution + ": " + ceiling.share(summary.recordsRead() / seconds));
      } finally {
        BenchEnvironment.deleteRecursively(checkpoints);
      }
    }
  }
}
