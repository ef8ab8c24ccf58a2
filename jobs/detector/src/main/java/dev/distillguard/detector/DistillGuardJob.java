package dev.distillguard.detector;

import dev.distillguard.detector.backfill.Backfill;
import dev.distillguard.detector.config.ConfigException;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.ingest.IngestWatermarks;
import dev.distillguard.detector.model.PolicyEnvelope;
import dev.distillguard.detector.policy.PolicyWatermarks;
import dev.distillguard.detector.ingest.Ingested;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The detector's entry point: the live job (the gateway topic in, throttle decisions and dead letters out)
 * or, with {@code --mode backfill}, a {@link Backfill} over a range of the gateway topic.
 *
 * <pre>
 * flink run distill-guard-detector-job.jar --bootstrap.servers broker:9092 [--config detector.properties]
 * flink run distill-guard-detector-job.jar --mode backfill --backfill.from 2025-06-02T09:00:00Z --backfill.to ...
 * </pre>
 */
public final class DistillGuardJob {

  private DistillGuardJob() {}

  public static void main(String[] args) throws Exception {
    DetectorConfig config;
    try {
      config = DetectorConfig.fromArgs(args);
    } catch (ConfigException e) {
      System.err.println("distill-guard: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (config.mode() == DetectorConfig.Mode.BACKFILL) {
      Backfill.run(config, System.out);
      return;
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConfiguration(config));
    defineLive(env, config);
    env.execute("distill-guard " + config.detectorVersion());
  }

  /** The live job on {@code env}: unbounded gateway source, live throttle topic. */
  public static DetectorTopology.Outputs defineLive(StreamExecutionEnvironment env, DetectorConfig config) {
    return define(env, config, DetectorKafka.gatewaySource(config), DetectorKafka.policySource(config),
        config.kafka().throttleTopic(), config.kafka().transactionalIdPrefix());
  }

  /**
   * The detector between a gateway source and a control source (bounded or not: the caller decides; a
   * bounded run bounds both, or the unbounded control source would keep it running) and a throttle topic.
   * Dead letters go to the configured dead-letter topic and the policy audit trail to the policy-status
   * topic, each under transactional ids of its own.
   */
  public static DetectorTopology.Outputs define(StreamExecutionEnvironment env, DetectorConfig config,
      KafkaSourceBuilder<Ingested> source, KafkaSourceBuilder<PolicyEnvelope> policySource, String throttleTopic,
      String transactionalIdPrefix) {
    DataStream<Ingested> ingested = env
        .fromSource(source.build(),
            IngestWatermarks.strategy(config.eventTime()),
            "gateway calls")
        .uid("gateway-calls-source");
    return DetectorTopology.define(ingested, policyRecords(env, config, policySource),
        DetectorKafka.decisionSink(config, throttleTopic, transactionalIdPrefix),
        DetectorKafka.deadLetterSink(config, config.kafka().deadLetterTopic(), transactionalIdPrefix + "-dead-letters"),
        DetectorKafka.policyStatusSink(config, transactionalIdPrefix + "-policy-status"),
        config);
  }

  /** The control topic, read by one subtask: policies are few, and one reader keeps their order. */
  public static DataStream<PolicyEnvelope> policyRecords(StreamExecutionEnvironment env, DetectorConfig config,
      KafkaSourceBuilder<PolicyEnvelope> source) {
    return env.fromSource(source.build(), PolicyWatermarks.strategy(), "detection policies")
        .setParallelism(1)
        .uid("detection-policies-source");
  }

  /**
   * What the job itself requires of any environment it runs in. Cluster-wide choices (state backend,
   * restart strategy, memory) belong to flink-conf/config.yaml.
   */
  public static Configuration jobConfiguration(DetectorConfig config) {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    // Chained operators hand records over without a deep copy. Safe here: no function keeps or changes
    // a record it was handed after returning (the feature operators copy values into their panes, or keep
    // a batch of calls the template batcher let go of and never touches again; CEP keeps window features,
    // but each is a fresh object its feature operator never touches again).
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval());
    conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    conf.set(PipelineOptions.MAX_PARALLELISM, config.maxParallelism());
    if (config.parallelism() > 0) {
      conf.set(org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM, config.parallelism());
    }
    return conf;
  }
}
