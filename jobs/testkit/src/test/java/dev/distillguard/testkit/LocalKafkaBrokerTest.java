package dev.distillguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class LocalKafkaBrokerTest {

  @Test
  void startsARealBrokerThatStoresRecordsAndStopsItsOwnProcess() throws Exception {
    ProcessHandle handle;
    try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
      handle = ProcessHandle.of(broker.pid()).orElseThrow();
      assertThat(handle.isAlive()).isTrue();
      broker.createTopic("roundtrip", 2);
      broker.createTopic("roundtrip", 2); // idempotent

      Properties producerProps = new Properties();
      producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      producerProps.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < 10; i++) {
          producer.send(new ProducerRecord<>("roundtrip", "k" + i, "v" + i)).get();
        }
      }

      Properties consumerProps = new Properties();
      consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "roundtrip-test");
      consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      List<String> values = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of("roundtrip"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (values.size() < 10 && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
            values.add(record.value());
          }
        }
      }
      assertThat(values).containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
      assertThat(broker.admin().describeTopics(List.of("roundtrip")).allTopicNames().get()
          .get("roundtrip").partitions()).hasSize(2);
    }
    assertThat(handle.isAlive()).isFalse();
  }

  @Test
  void brokerClasspathPointsAtExistingJars() {
    // The codecs matter: without lz4 on the broker, every lz4-compressed produce request fails.
    assertThat(LocalKafkaBroker.brokerClasspath()).contains("kafka_2.13-").contains("kafka-clients-")
        .contains("lz4").contains("zstd").contains("snappy");
  }
}
