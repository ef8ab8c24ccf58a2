package dev.distillguard.workbench;

import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.DeadLetter;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.DetectorKafka;
import dev.distillguard.detector.backfill.Backfill;
import dev.distillguard.detector.DetectorTopology;
import dev.distillguard.detector.DistillGuardJob;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.simulate.KafkaTrafficWriter;
import dev.distillguard.simulate.LabelledCall;
import dev.distillguard.testkit.LocalKafkaBroker;
import dev.distillguard.testkit.TopicReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One run of the real detector on this machine: simulated traffic written to a real broker, the job on
 * a local Flink environment reading the gateway topic to the end offsets it finds at start, and the
 * decisions read back as the rate limiter would, {@code read_committed}.
 */
public final class LocalDetectorRun {

  /** What a run left on the broker, and how long the job took. */
  public record Result(List<ThrottleDecision> decisions, List<DeadLetter> deadLetters, Duration jobTime) {}

  private LocalDetectorRun() {}

  /** The control topic and its audit trail: one partition each, so policies keep their order. */
  public static void createPolicyTopics(LocalKafkaBroker broker, DetectorConfig config) {
    broker.createTopic(config.kafka().policyTopic(), 1);
    broker.createTopic(config.kafka().policyStatusTopic(), 1);
  }

  /**
   * Creates the detector's topics: the gateway topic with {@code partitions}, the outputs with one each.
   * A rate limiter's throttle topic is compacted (it only needs the latest decision per entity); these
   * local runs keep every record, because scoring a run needs each decision's history.
   */
  public static void createTopics(LocalKafkaBroker broker, DetectorConfig config, int partitions) {
    createTopics(broker, config, partitions, Map.of());
  }

  /** As {@link #createTopics(LocalKafkaBroker, DetectorConfig, int)}, the throttle topic with these configs. */
  public static void createTopics(LocalKafkaBroker broker, DetectorConfig config, int partitions,
      Map<String, String> throttleTopicConfig) {
    broker.createTopic(config.kafka().inputTopic(), partitions);
    broker.createTopic(config.kafka().throttleTopic(), 1, throttleTopicConfig);
    broker.createTopic(config.kafka().deadLetterTopic(), 1);
    createPolicyTopics(broker, config);
  }

  /** Writes the traffic to the gateway topic; returns how many calls were written. */
  public static long write(LocalKafkaBroker broker, DetectorConfig config, Iterable<LabelledCall> traffic) {
    long written = 0;
    try (KafkaTrafficWriter writer = new KafkaTrafficWriter(broker.bootstrapServers(), config.kafka().inputTopic())) {
      for (LabelledCall call : traffic) {
        writer.write(call.call());
        written++;
      }
    }
    return written;
  }

  /** Configuration for a local run against {@code broker}, with more settings as {@code --key value} pairs. */
  public static DetectorConfig config(LocalKafkaBroker broker, String... overrides) {
    List<String> args = new ArrayList<>(List.of("--bootstrap.servers", broker.bootstrapServers(),
        "--starting-offsets", "earliest"));
    args.addAll(List.of(overrides));
    return DetectorConfig.fromArgs(args.toArray(String[]::new));
  }

  /** Runs the live job's topology over everything in the gateway topic now, then reads what it wrote. */
  public static Result run(LocalKafkaBroker broker, DetectorConfig config, int parallelism) throws Exception {
    return run(broker, config, parallelism, null);
  }

  /** As {@link #run(LocalKafkaBroker, DetectorConfig, int)}, also collecting every reported window's features. */
  public static Result run(LocalKafkaBroker broker, DetectorConfig config, int parallelism, FeatureTap features)
      throws Exception {
    Path checkpoints = Files.createTempDirectory("distill-guard-checkpoints-");
    Configuration conf = DistillGuardJob.jobConfiguration(config);
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    DetectorTopology.Outputs outputs = DistillGuardJob.define(env, config,
        DetectorKafka.gatewaySource(config).setBounded(OffsetsInitializer.latest()),
        DetectorKafka.policySource(config).setBounded(OffsetsInitializer.latest()),
        config.kafka().throttleTopic(), config.kafka().transactionalIdPrefix());
    if (features != null) {
      outputs.accountFeatures().union(outputs.subnetFeatures(), outputs.templateFeatures())
          .sinkTo(features).uid("feature-tap").name("feature tap");
    }
    long started = System.nanoTime();
    try {
      env.execute("distill-guard local run");
    } finally {
      deleteRecursively(checkpoints);
    }
    Duration jobTime = Duration.ofNanos(System.nanoTime() - started);
    return new Result(finishedDecisions(broker, config.kafka().throttleTopic()),
        finishedDeadLetters(broker, config.kafka().deadLetterTopic()), jobTime);
  }

  /**
   * Runs a backfill ({@code --mode backfill} settings in {@code config}) on a local environment, showing
   * its progress on {@code out}, and reads back what it wrote to its output topic.
   */
  public static Result backfill(LocalKafkaBroker broker, DetectorConfig config, int parallelism, PrintStream out)
      throws Exception {
    Path checkpoints = Files.createTempDirectory("distill-guard-checkpoints-");
    Configuration conf = Backfill.jobConfiguration(config);
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    createPolicyTopics(broker, config);
    broker.createTopic(config.backfill().outputTopic(), 1);
    broker.createTopic(config.backfill().deadLetterTopic(), 1);
    Backfill.Summary summary;
    try {
      summary = Backfill.run(StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf), config, out);
    } finally {
      deleteRecursively(checkpoints);
    }
    return new Result(finishedDecisions(broker, config.backfill().outputTopic()),
        finishedDeadLetters(broker, config.backfill().deadLetterTopic()), summary.wallTime());
  }

  /** Best effort: Flink may still be discarding old checkpoints while this walks the directory. */
  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      dir.toFile().deleteOnExit();
    }
  }

  /** The decisions committed so far on a topic a job may still be writing (its open transaction unread). */
  public static List<ThrottleDecision> readDecisions(LocalKafkaBroker broker, String topic) {
    return decode(TopicReader.readCommitted(broker.bootstrapServers(), topic), ThrottleDecision.class);
  }

  /** Every decision on a topic whose job has finished, its last transaction included. */
  public static List<ThrottleDecision> finishedDecisions(LocalKafkaBroker broker, String topic) {
    return decode(TopicReader.readSettled(broker.bootstrapServers(), topic), ThrottleDecision.class);
  }

  /** Every dead letter on a topic whose job has finished, its last transaction included. */
  public static List<DeadLetter> finishedDeadLetters(LocalKafkaBroker broker, String topic) {
    return decode(TopicReader.readSettled(broker.bootstrapServers(), topic), DeadLetter.class);
  }

  private static <T extends SpecificRecord> List<T> decode(
      List<ConsumerRecord<byte[], byte[]>> records, Class<T> type) {
    List<T> out = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      out.add(AvroBinary.decode(r.value(), type));
    }
    return out;
  }
}
