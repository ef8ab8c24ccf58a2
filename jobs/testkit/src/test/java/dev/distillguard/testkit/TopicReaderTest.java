package dev.distillguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopicReaderTest {

  @RegisterExtension
  static final RealKafkaExtension KAFKA = new RealKafkaExtension();

  @Test
  void aSettledReadWaitsForAnOpenTransactionWhereACommittedReadStopsBeforeIt() throws Exception {
    String topic = "reader.open-transaction";
    KAFKA.broker().createTopic(topic, 2);
    String servers = KAFKA.broker().bootstrapServers();
    try (KafkaProducer<byte[], byte[]> producer = transactional("reader-open")) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 6; i++) {
        producer.send(record(topic, "v" + i)).get();
      }
      assertThat(TopicReader.readCommitted(servers, topic)).isEmpty();
      // Open until committed below, so the settled read cannot reach the log's end: it gives up, not less.
      assertThatThrownBy(() -> TopicReader.readSettled(servers, topic, Duration.ofSeconds(2)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("could not read " + topic);

      producer.commitTransaction();
      // Read at once: the commit has returned, its markers may still be on their way.
      assertThat(values(TopicReader.readSettled(servers, topic)))
          .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5");
    }
  }

  @Test
  void aSettledReadSkipsAnAbortedTransactionAndKeepsTheCommittedOneAfterIt() throws Exception {
    String topic = "reader.aborted-then-committed";
    KAFKA.broker().createTopic(topic, 1);
    try (KafkaProducer<byte[], byte[]> producer = transactional("reader-abort")) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(record(topic, "aborted")).get();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(record(topic, "kept")).get();
      producer.commitTransaction();
    }
    assertThat(values(TopicReader.readSettled(KAFKA.broker().bootstrapServers(), topic))).containsExactly("kept");
  }

  private static KafkaProducer<byte[], byte[]> transactional(String id) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.broker().bootstrapServers());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
    return new ProducerRecord<>(topic, null, value.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
  }
}
