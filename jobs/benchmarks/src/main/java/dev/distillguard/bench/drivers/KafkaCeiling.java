package dev.distillguard.bench.drivers;

import dev.distillguard.testkit.LocalKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The machine's Kafka-only ceiling, measured in the same run as the job it is compared with: a Flink job
 * on the same local environment, parallelism and execution mode that reads the same topic and writes every
 * record, unchanged, to another topic, exactly once. No decoding, no keys, no state: how fast this machine
 * moves these records from the broker through Flink and back, so a job's figure reads as a share of it.
 */
final class KafkaCeiling {

  /** One ceiling run: records copied and the wall time of the copy job, submission to finish. */
  record Ceiling(long records, Duration wall) {

    double recordsPerSecond() {
      return records / (wall.toMillis() / 1000.0);
    }

    /** A job's calls per second as a share of this ceiling, for the RESULT lines. */
    String share(double jobPerSecond) {
      return String.format(Locale.ROOT, "Kafka-only ceiling in the same run %,.0f records/s (%.1f s); the job "
          + "runs at %.1f%% of it", recordsPerSecond(), wall.toMillis() / 1000.0, 100 * jobPerSecond / recordsPerSecond());
    }
  }

  private KafkaCeiling() {}

  /** The record's bytes as they were read. A named class: Flink cannot infer a lambda's type here. */
  private static final class Unchanged implements SerializationSchema<byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] serialize(byte[] value) {
      return value;
    }
  }

  /** Copies all of {@code topic} (read to its current end) to a topic of its own. */
  static Ceiling run(LocalKafkaBroker broker, String topic, long records, int parallelism, RuntimeExecutionMode mode,
      String checkpointInterval) throws Exception {
    String copy = topic + ".ceiling-copy." + mode.name().toLowerCase(Locale.ROOT);
    broker.createTopic(copy, 4);
    Path work = BenchEnvironment.tempDir("distill-guard-bench-ceiling-");
    try {
      Configuration conf = new Configuration();
      conf.set(ExecutionOptions.RUNTIME_MODE, mode);
      conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.parse("PT" + checkpointInterval.toUpperCase(Locale.ROOT)));
      conf.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism,
          BenchEnvironment.flink(conf, BenchEnvironment.StateBackend.HEAP, work.resolve("checkpoints"), work));
      KafkaSource<byte[]> source = KafkaSource.<byte[]>builder()
          .setBootstrapServers(broker.bootstrapServers())
          .setTopics(topic)
          .setGroupId(copy)
          .setStartingOffsets(OffsetsInitializer.earliest())
          .setBounded(OffsetsInitializer.latest())
          .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class))
          .build();
      KafkaSink<byte[]> sink = KafkaSink.<byte[]>builder()
          .setBootstrapServers(broker.bootstrapServers())
          .setRecordSerializer(KafkaRecordSerializationSchema.<byte[]>builder().setTopic(copy)
              .setValueSerializationSchema(new Unchanged()).build())
          .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
          .setTransactionalIdPrefix(copy)
          .setProperty("transaction.timeout.ms", "600000")
          .setProperty("compression.type", "lz4")
          .build();
      env.fromSource(source, WatermarkStrategy.noWatermarks(), "records").uid("ceiling-source")
          .sinkTo(sink).uid("ceiling-sink").name("copy");
      System.out.printf(Locale.ROOT, "copying %s to %s with no processing (Kafka-only ceiling, %s) ...%n", topic, copy,
          mode.name().toLowerCase(Locale.ROOT));
      long started = System.nanoTime();
      env.execute("distill-guard Kafka-only ceiling");
      return new Ceiling(records, Duration.ofNanos(System.nanoTime() - started));
    } finally {
      BenchEnvironment.deleteRecursively(work);
    }
  }
}
