package dev.distillguard.detector;

import dev.distillguard.contract.PolicyStatus;
import dev.distillguard.detector.model.PolicyEnvelope;
import dev.distillguard.detector.policy.PolicyRecordDeserializer;

import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.DeadLetter;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.ingest.CallValidator;
import dev.distillguard.detector.ingest.GatewayRecordDeserializer;
import dev.distillguard.detector.ingest.Ingested;
import dev.distillguard.detector.ingest.SubnetParser;
import dev.distillguard.detector.ingest.WriterSchemas;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The job's Kafka source and sinks, built from the configuration. */
public final class DetectorKafka {

  private DetectorKafka() {}

  /** The gateway topic from the configured starting offsets; unbounded unless {@code builder} is bounded later. */
  public static KafkaSourceBuilder<Ingested> gatewaySource(DetectorConfig config) {
    DetectorConfig.Kafka kafka = config.kafka();
    OffsetsInitializer start = switch (kafka.startingOffsets()) {
      case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      case EARLIEST -> OffsetsInitializer.earliest();
      case LATEST -> OffsetsInitializer.latest();
    };
    return KafkaSource.<Ingested>builder()
        .setBootstrapServers(kafka.bootstrapServers())
        .setTopics(kafka.inputTopic())
        .setGroupId(kafka.groupId())
        .setStartingOffsets(start)
        .setDeserializer(deserializer(config))
        .setProperty("partition.discovery.interval.ms", "60000")
        .setProperty("isolation.level", "read_committed");
  }

  /**
   * The control topic from its beginning: a job starting without state reads the whole policy history
   * and ends under the latest valid policy; restored from a checkpoint, it resumes where it was.
   */
  public static KafkaSourceBuilder<PolicyEnvelope> policySource(DetectorConfig config) {
    return KafkaSource.<PolicyEnvelope>builder()
        .setBootstrapServers(config.kafka().bootstrapServers())
        .setTopics(config.kafka().policyTopic())
        .setGroupId(config.kafka().groupId() + "-policy")
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setDeserializer(new PolicyRecordDeserializer())
        .setProperty("isolation.level", "read_committed");
  }

  /** The policy audit trail, exactly once, keyed by the policy version. */
  public static KafkaSink<PolicyStatus> policyStatusSink(DetectorConfig config, String transactionalIdPrefix) {
    String topic = config.kafka().policyStatusTopic();
    return exactlyOnce(config, transactionalIdPrefix, (status, context, timestamp) -> new ProducerRecord<>(
        topic, null, status.getReceivedAt().toEpochMilli(),
        String.valueOf(status.getVersion()).getBytes(StandardCharsets.UTF_8), AvroBinary.encode(status)));
  }

  /**
   * Decoding and validation of gateway records. Only the live job checks event times against its own
   * clock: a backfill reads the past, where the clock says nothing about a record.
   */
  public static GatewayRecordDeserializer deserializer(DetectorConfig config) {
    return new GatewayRecordDeserializer(validator(config), WriterSchemas.released(), config.detectorVersion(),
        config.mode() == DetectorConfig.Mode.LIVE, config.ingest().deadLetterMaxOriginalBytes());
  }

  public static CallValidator validator(DetectorConfig config) {
    return new CallValidator(new SubnetParser(config.ipv4Prefix(), config.ipv6Prefix()),
        config.eventTime().maxFutureSkew(), config.eventTime().maxRecordDelay());
  }

  /** Header a backfill puts on decisions that had expired by the end of its range. */
  public static final String EXPIRED_HEADER = "distill-guard-expired-by-range-end";

  /** Decisions, exactly once, keyed {@code ENTITY_TYPE:entity_id} for compaction, timestamped at decided_at. */
  public static KafkaSink<ThrottleDecision> decisionSink(DetectorConfig config, String topic, String transactionalIdPrefix) {
    return decisionSink(config, topic, transactionalIdPrefix, null);
  }

  /**
   * As {@link #decisionSink(DetectorConfig, String, String)}; decisions that expire at or before
   * {@code rangeEnd} (when given) carry the {@value #EXPIRED_HEADER} header.
   */
  public static KafkaSink<ThrottleDecision> decisionSink(DetectorConfig config, String topic,
      String transactionalIdPrefix, Long rangeEnd) {
    return exactlyOnce(config, transactionalIdPrefix, (decision, context, timestamp) -> {
      ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null,
          decision.getDecidedAt().toEpochMilli(),
          (decision.getEntityType() + ":" + decision.getEntityId()).getBytes(StandardCharsets.UTF_8),
          AvroBinary.encode(decision));
      if (rangeEnd != null && decision.getExpiresAt().toEpochMilli() <= rangeEnd) {
        record.headers().add(EXPIRED_HEADER, "true".getBytes(StandardCharsets.UTF_8));
      }
      return record;
    });
  }

  /** Dead letters, exactly once, keyed by where the original came from. */
  public static KafkaSink<DeadLetter> deadLetterSink(DetectorConfig config, String topic, String transactionalIdPrefix) {
    return exactlyOnce(config, transactionalIdPrefix, (letter, context, timestamp) -> new ProducerRecord<>(
        topic, null, letter.getSourceTimestamp().toEpochMilli(),
        (letter.getSourceTopic() + "/" + letter.getSourcePartition() + "/" + letter.getSourceOffset())
            .getBytes(StandardCharsets.UTF_8),
        AvroBinary.encode(letter)));
  }

  private static <T> KafkaSink<T> exactlyOnce(DetectorConfig config, String transactionalIdPrefix,
      KafkaRecordSerializationSchema<T> serializer) {
    return KafkaSink.<T>builder()
        .setBootstrapServers(config.kafka().bootstrapServers())
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix)
        .setProperty("transaction.timeout.ms", Long.toString(config.kafka().transactionTimeout().toMillis()))
        .setProperty("compression.type", "lz4")
        .build();
  }
}
