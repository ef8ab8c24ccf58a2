package dev.distillguard.bench.drivers;

import dev.distillguard.bench.load.GatewayLoad;
import dev.distillguard.bench.load.LoadWriter;
import dev.distillguard.detector.DetectorKafka;
import dev.distillguard.detector.DistillGuardJob;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.testkit.LocalKafkaBroker;
import dev.distillguard.workbench.LocalDetectorRun;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Live job throughput at saturation: the live topology (streaming, checkpoints every 2 s by default, exactly-once
 * sinks) on the local environment reads a backlog of {@code --records} calls from the real broker as fast
 * as it can. A backlog is the load a live job is saturated by: it never waits for input. The figure is
 * calls per second of job wall time, start-up included (a few seconds), and beside it the rate over the
 * backlog's later half, from the offsets the job commits at each checkpoint ({@link CommittedProgress}):
 * what a job that has been running a while keeps up with, its JIT warm and its windows full.
 */
public final class LiveThroughput {

  /** One measured run. */
  record Measurement(GatewayLoad load, BenchEnvironment.State state, int parallelism,
      String checkpointInterval, Duration wall, int decisions, OptionalDouble laterHalfCallsPerSecond) {

    double callsPerSecond() {
      return load.records() / (wall.toMillis() / 1000.0);
    }

    String describe() {
      return String.format(Locale.ROOT, "%,d calls at %,.0f per event-time second, %,d accounts, hot subnet %.0f%%, "
              + "%s, checkpoints every %s, parallelism %d: %.1f s = %,.0f calls/s (%d decisions)%s",
          load.records(), load.callsPerSecond(), load.accounts(), load.hotSubnetShare() * 100,
          state.describe(), checkpointInterval, parallelism, wall.toMillis() / 1000.0,
          callsPerSecond(), decisions, laterHalfCallsPerSecond.isPresent()
              ? String.format(Locale.ROOT, "; over the backlog's later half %,.0f calls/s (committed offsets)",
                  laterHalfCallsPerSecond.getAsDouble())
              : "; the backlog's later half not timed (no checkpoint committed half of it)");
    }
  }

  /** How often the job's committed offsets are read: well inside one checkpoint interval. */
  private static final Duration PROGRESS_POLL = Duration.ofMillis(250);

  private LiveThroughput() {}

  public static void main(String[] argv) {
    BenchEnvironment.exitWhenDone(() -> measure(argv));
  }

  private static void measure(String[] argv) throws Exception {
    BenchArgs args = new BenchArgs(argv, "bin/bench live [--state heap|rocksdb] [--changelog true|false] [--checkpoint-interval 2s] " + BenchEnvironment.LOAD_USAGE);
    GatewayLoad load = BenchEnvironment.load(args, 1_000_000, 10_000, 500,
        Instant.parse("2026-03-02T00:00:00Z"));
    BenchEnvironment.State state = BenchEnvironment.state(args);
    int partitions = args.intValue("partitions", 4);
    int parallelism = args.intValue("parallelism", 2);
    String checkpointInterval = args.string("checkpoint-interval", "2s");
    args.requireAllKnown();
    try (LocalKafkaBroker broker = BenchEnvironment.startBroker()) {
      Measurement m = run(broker, load, state, partitions, parallelism, checkpointInterval);
      KafkaCeiling.Ceiling ceiling = KafkaCeiling.run(broker, load.topicName(), load.records(), parallelism,
          RuntimeExecutionMode.STREAMING, checkpointInterval);
      System.out.println("RESULT live " + m.describe() + "; " + ceiling.share(m.callsPerSecond()));
    }
  }

  /** Writes the load to a topic of its own, then runs the live job over it to the end. */
  static Measurement run(LocalKafkaBroker broker, GatewayLoad load, BenchEnvironment.State state,
      int partitions, int parallelism, String checkpointInterval) throws Exception {
    String topic = load.topicName();
    LoadWriter.writeAll(broker, topic, partitions, load, System.out);
    String prefix = topic + "." + state.backend().name().toLowerCase(Locale.ROOT);
    DetectorConfig config = LocalDetectorRun.config(broker, "--input.topic", topic,
        "--throttle.topic", prefix + ".throttle", "--dead-letter.topic", prefix + ".dead-letters",
        "--transactional-id.prefix", prefix, "--group.id", prefix, "--checkpoint.interval", checkpointInterval);
    broker.createTopic(config.kafka().throttleTopic(), 1);
    broker.createTopic(config.kafka().deadLetterTopic(), 1);
    LocalDetectorRun.createPolicyTopics(broker, config);
    Path work = BenchEnvironment.tempDir("distill-guard-bench-live-");
    try {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism,
          BenchEnvironment.flink(DistillGuardJob.jobConfiguration(config), state, work.resolve("checkpoints"),
              work.resolve("rocksdb")));
      DistillGuardJob.define(env, config,
          DetectorKafka.gatewaySource(config).setBounded(OffsetsInitializer.latest()),
          DetectorKafka.policySource(config).setBounded(OffsetsInitializer.latest()),
          config.kafka().throttleTopic(), config.kafka().transactionalIdPrefix());
      System.out.printf(Locale.ROOT, "running the live job over %,d calls (%s, parallelism %d) ...%n",
          load.records(), state.describe(), parallelism);
      long end = CommittedProgress.endOffsets(broker, topic);
      long started;
      long finished;
      List<CommittedProgress.Sample> progress;
      try (CommittedProgress committed = CommittedProgress.watch(broker, config.kafka().groupId(), PROGRESS_POLL)) {
        started = System.nanoTime();
        env.execute("distill-guard live throughput");
        finished = System.nanoTime();
        progress = committed.samples();
      }
      Duration wall = Duration.ofNanos(finished - started);
      int decisions = LocalDetectorRun.finishedDecisions(broker, config.kafka().throttleTopic()).size();
      return new Measurement(load, state, parallelism, checkpointInterval, wall, decisions,
          CommittedProgress.rateAfter(progress, 0.5, end, load.records(), finished));
    } finally {
      BenchEnvironment.deleteRecursively(work);
    }
  }
}
