package dev.distillguard.simulate;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes calls to the gateway topic as the gateway does: value = the Avro binary ApiCall, key = the
 * account id in UTF-8 (so an account's calls share a partition), record timestamp = event time, the
 * writer's schema named in the {@value AvroBinary#SCHEMA_HEADER} header. The
 * producer is tuned for bulk loading: large lz4 batches with a short linger, and acks=all with
 * idempotence so nothing is lost or duplicated on retry. Not thread-safe.
 */
public final class KafkaTrafficWriter implements AutoCloseable {

  private static final byte[] SCHEMA_FINGERPRINT = AvroBinary.fingerprintHeader(ApiCall.getClassSchema());

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final ApiCallAvro avro = new ApiCallAvro();
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

  public KafkaTrafficWriter(String bootstrapServers, String topic) {
    this(producerProperties(bootstrapServers), topic);
  }

  /** A writer with producer settings of your own, such as {@link #producerProperties} with changes. */
  public KafkaTrafficWriter(Properties producerProperties, String topic) {
    this.producer = new KafkaProducer<>(producerProperties, new ByteArraySerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  /** The throughput-tuned producer settings the writer uses by default. */
  public static Properties producerProperties(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "distill-guard-simulator");
    return props;
  }

  /** Creates {@code topic} with {@code partitions} partitions unless it exists (broker's default replication). */
  public static void createTopicIfMissing(String bootstrapServers, String topic, int partitions) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(props)) {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topic " + topic, e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + topic, e);
    }
  }

  /** Sends one call; fails fast if an earlier send failed. */
  public void write(ApiCall call) {
    throwIfFailed();
    byte[] key = call.getAccountId().getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, null, call.getEventTime().toEpochMilli(), key, avro.encode(call));
    record.headers().add(AvroBinary.SCHEMA_HEADER, SCHEMA_FINGERPRINT);
    producer.send(record,
        (metadata, exception) -> {
          if (exception != null) {
            firstFailure.compareAndSet(null, exception);
          }
        });
  }

  /** Waits until every call sent so far is acknowledged; throws if any failed. */
  public void flush() {
    producer.flush();
    throwIfFailed();
  }

  @Override
  public void close() {
    try {
      flush();
    } finally {
      producer.close();
    }
  }

  private void throwIfFailed() {
    Exception failure = firstFailure.get();
    if (failure != null) {
      throw new IllegalStateException("writing to " + topic + " failed", failure);
    }
  }
}
