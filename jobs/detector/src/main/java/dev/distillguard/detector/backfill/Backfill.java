package dev.distillguard.detector.backfill;

import dev.distillguard.contract.EntityType;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.DetectorKafka;
import dev.distillguard.detector.DetectorTopology;
import dev.distillguard.detector.DistillGuardJob;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.decisions.DecisionLedger;
import dev.distillguard.detector.ingest.DuplicateFilter;
import dev.distillguard.detector.ingest.IngestRouter;
import dev.distillguard.detector.ingest.IngestWatermarks;
import dev.distillguard.detector.ingest.Ingested;
import dev.distillguard.detector.model.PolicyEnvelope;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The backfill: the live job's topology over a range of the gateway topic, read with a bounded Kafka
 * source, by default in Flink's BATCH execution mode. It writes to a topic of its own under
 * transactional ids of its own, so it never fences the live job, and stops by itself.
 *
 * <p>Decisions that had expired by the end of the range carry the {@value DetectorKafka#EXPIRED_HEADER}
 * header rather than being left out: an analyst replaying an incident wants every account the campaign
 * used, and a rate limiter, which lifts any decision past its {@code expires_at}, would ignore them
 * anyway. When the output is the live throttle topic (only on request), they are left out, so nothing
 * stale ever lands where rate limiters read.
 */
public final class Backfill {

  /** What a finished backfill did. */
  public record Summary(long recordsRead, long recordsInRange, long deadLettered, long late, long duplicates,
      Map<String, Long> decisions, Duration wallTime, String outputTopic) {}

  private Backfill() {}

  /** Runs a backfill from the command line (the job jar's main, {@code --mode backfill}). */
  public static Summary run(DetectorConfig config, PrintStream out) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConfiguration(config));
    return run(env, config, out);
  }

  /** The live job's configuration with the backfill's execution mode. */
  public static Configuration jobConfiguration(DetectorConfig config) {
    Configuration conf = DistillGuardJob.jobConfiguration(config);
    conf.set(ExecutionOptions.RUNTIME_MODE, config.backfill().execution() == DetectorConfig.Execution.BATCH
        ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
    return conf;
  }

  /** Defines the backfill on {@code env}, runs it, shows progress on {@code out}, and sums it up. */
  public static Summary run(StreamExecutionEnvironment env, DetectorConfig config, PrintStream out) throws Exception {
    DetectorConfig.Backfill backfill = config.backfill();
    long inRange = recordsInRange(config);
    define(env, config);
    out.printf(Locale.ROOT, "backfill %s: %,d records of %s in range, %s execution, writing to %s%n", backfill.run(),
        inRange, config.kafka().inputTopic(), backfill.execution(), backfill.outputTopic());
    long started = System.nanoTime();
    JobClient job = env.executeAsync("distill-guard backfill " + backfill.run());
    JobExecutionResult result = awaitWithProgress(job, inRange, backfill.progressInterval(), started, out);
    Duration wall = Duration.ofNanos(System.nanoTime() - started);
    Map<String, Long> decisions = new TreeMap<>();
    for (EntityType type : EntityType.values()) {
      for (ThrottleAction action : ThrottleAction.values()) {
        long n = count(result.getAllAccumulatorResults(), DecisionLedger.accumulatorName(type, action));
        if (n > 0) {
          decisions.put(type + "/" + action, n);
        }
      }
    }
    Summary summary = new Summary(count(result.getAllAccumulatorResults(), IngestRouter.READ), inRange,
        count(result.getAllAccumulatorResults(), IngestRouter.DEAD_LETTERED),
        count(result.getAllAccumulatorResults(), IngestRouter.LATE),
        count(result.getAllAccumulatorResults(), DuplicateFilter.DUPLICATES), decisions, wall, backfill.outputTopic());
    out.printf(Locale.ROOT, "backfill %s done in %.1f s: %,d records read (%,.0f/s), %,d dead-lettered, %,d late, "
            + "%,d duplicate; decisions %s, in %s%n", backfill.run(), wall.toMillis() / 1000.0, summary.recordsRead(),
        summary.recordsRead() / Math.max(0.001, wall.toMillis() / 1000.0), summary.deadLettered(), summary.late(),
        summary.duplicates(), decisions.isEmpty() ? "none" : decisions, backfill.outputTopic());
    return summary;
  }

  /** The backfill's dataflow: bounded source, the detector, its own output topics. */
  public static DetectorTopology.Outputs define(StreamExecutionEnvironment env, DetectorConfig config) {
    DetectorConfig.Backfill backfill = config.backfill();
    DataStream<Ingested> ingested = env
        .fromSource(source(config).build(),
            IngestWatermarks.strategy(config.eventTime()),
            "gateway calls (backfill)")
        .uid("gateway-calls-source");
    // The policy history as it stands when the backfill starts, applied by the event time each names; the
    // audit trail is the live job's to write, so the backfill's verdicts stay in its summary.
    DataStream<PolicyEnvelope> policies = DistillGuardJob.policyRecords(env, config,
        DetectorKafka.policySource(config).setGroupId("distill-guard-backfill-" + backfill.run() + "-policy")
            .setBounded(OffsetsInitializer.latest()));
    DetectorTopology.Outputs outputs = DetectorTopology.define(ingested, policies, config);
    Long rangeEnd = backfill.to().timestamp();
    DataStream<ThrottleDecision> decisions = outputs.decisions();
    if (backfill.outputTopic().equals(config.kafka().throttleTopic()) && rangeEnd != null) {
      decisions = decisions.filter(d -> d.getExpiresAt().toEpochMilli() > rangeEnd)
          .uid("drop-expired-decisions").name("drop decisions expired by the range end");
    }
    decisions.sinkTo(DetectorKafka.decisionSink(config, backfill.outputTopic(), backfill.transactionalIdPrefix(),
        rangeEnd)).uid("throttle-decisions-sink").name("backfill decisions sink");
    outputs.deadLetters().sinkTo(DetectorKafka.deadLetterSink(config, backfill.deadLetterTopic(),
        backfill.transactionalIdPrefix() + "-dead-letters")).uid("dead-letters-sink").name("backfill dead letters sink");
    return outputs;
  }

  /** The gateway topic from the start of the range to its end, under a consumer group of the run's own. */
  public static KafkaSourceBuilder<Ingested> source(DetectorConfig config) {
    DetectorConfig.Backfill backfill = config.backfill();
    String topic = config.kafka().inputTopic();
    return DetectorKafka.gatewaySource(config)
        .setGroupId("distill-guard-backfill-" + backfill.run())
        .setStartingOffsets(initializer(backfill.from(), topic))
        .setBounded(initializer(backfill.to(), topic));
  }

  static OffsetsInitializer initializer(RangeBound bound, String topic) {
    if (bound.isTimestamp()) {
      return OffsetsInitializer.timestamp(bound.timestamp());
    }
    Map<TopicPartition, Long> offsets = new HashMap<>();
    bound.offsets().forEach((partition, offset) -> offsets.put(new TopicPartition(topic, partition), offset));
    return OffsetsInitializer.offsets(offsets);
  }

  /** How many records the range holds, from the broker's offsets for the two bounds. */
  static long recordsInRange(DetectorConfig config) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
    String topic = config.kafka().inputTopic();
    try (Admin admin = Admin.create(props)) {
      List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get()
          .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      Map<TopicPartition, Long> latest = offsets(admin, partitions, OffsetSpec.latest(), null);
      Map<TopicPartition, Long> start = offsets(admin, partitions, spec(config.backfill().from()), latest);
      Map<TopicPartition, Long> end = offsets(admin, partitions, spec(config.backfill().to()), latest);
      if (!config.backfill().from().isTimestamp()) {
        config.backfill().from().offsets().forEach((p, o) -> start.put(new TopicPartition(topic, p), o));
      }
      if (!config.backfill().to().isTimestamp()) {
        config.backfill().to().offsets().forEach((p, o) -> end.put(new TopicPartition(topic, p), o));
      }
      long total = 0;
      for (TopicPartition tp : partitions) {
        total += Math.max(0, end.getOrDefault(tp, 0L) - start.getOrDefault(tp, 0L));
      }
      return total;
    }
  }

  private static OffsetSpec spec(RangeBound bound) {
    return bound.isTimestamp() ? OffsetSpec.forTimestamp(bound.timestamp()) : OffsetSpec.latest();
  }

  /** Offsets for {@code spec}; a timestamp past the last record resolves to the latest offset. */
  private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec,
      Map<TopicPartition, Long> latest) throws Exception {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all().get();
    Map<TopicPartition, Long> out = new HashMap<>();
    result.forEach((tp, info) -> out.put(tp, info.offset() < 0 && latest != null ? latest.get(tp) : info.offset()));
    return out;
  }

  private static JobExecutionResult awaitWithProgress(JobClient job, long inRange, Duration interval, long started,
      PrintStream out) throws Exception {
    while (true) {
      try {
        return job.getJobExecutionResult().get(interval.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillRunning) {
        Map<String, Object> accumulators;
        try {
          accumulators = job.getAccumulators().get(interval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
          continue;
        }
        out.println(progressLine(count(accumulators, IngestRouter.READ), inRange,
            Duration.ofNanos(System.nanoTime() - started)));
      }
    }
  }

  static String progressLine(long read, long inRange, Duration elapsed) {
    double seconds = Math.max(0.001, elapsed.toMillis() / 1000.0);
    if (read >= inRange) {
      // In BATCH execution the source finishes first; the keyed stages then sort and work through it all.
      return String.format(Locale.ROOT, "  all %,d records read; computing windows and decisions, %.0f s so far",
          read, seconds);
    }
    double rate = read / seconds;
    String left = rate <= 0 ? "-" : Math.round((inRange - read) / rate) + " s";
    return String.format(Locale.ROOT, "  read %,d of %,d (%.1f%%), %,.0f records/s, about %s left to read", read,
        inRange, inRange == 0 ? 100.0 : 100.0 * read / inRange, rate, left);
  }

  private static long count(Map<String, Object> accumulators, String name) {
    Object value = accumulators.get(name);
    return value instanceof Number n ? n.longValue() : 0L;
  }
}
