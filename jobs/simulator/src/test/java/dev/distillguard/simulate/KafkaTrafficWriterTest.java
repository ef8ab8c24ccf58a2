package dev.distillguard.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.testkit.RealKafkaExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The simulator's command line against a real broker: topic, keys, timestamps, Avro values, label file. */
class KafkaTrafficWriterTest {

  @RegisterExtension
  static final RealKafkaExtension KAFKA = new RealKafkaExtension();

  private static final Instant START = Instant.parse("2025-04-01T10:00:00Z");

  @TempDir
  Path dir;

  @Test
  void writtenCallsReadBackAsTheGeneratedOnesWithMatchingLabels() {
    String topic = "simulator-roundtrip";
    Path labels = dir.resolve("labels.csv");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Simulate.run(new String[] {"--scenario", "hydra-cluster", "--scale", "0.05", "--seed", "21", "--start",
        START.toString(), "--bootstrap", KAFKA.broker().bootstrapServers(), "--topic", topic, "--labels",
        labels.toString(), "--partitions", "3"},
        new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("wrote to topic " + topic);

    List<LabelledCall> expected = Calls.of(ScenarioCatalogue.standard().scenario("hydra-cluster", 21, 0.05, START))
        .labelled;
    List<ConsumerRecord<byte[], byte[]>> records = consume(topic, expected.size());
    assertThat(records).hasSize(expected.size());
    assertThat(records).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);

    ApiCallAvro avro = new ApiCallAvro();
    Map<String, ApiCall> readBack = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      ApiCall call = avro.decode(record.value());
      assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(call.getAccountId());
      assertThat(record.timestamp()).isEqualTo(call.getEventTime().toEpochMilli());
      readBack.put(call.getRequestId(), call);
    }
    assertThat(readBack).isEqualTo(expected.stream()
        .collect(Collectors.toMap(c -> c.call().getRequestId(), LabelledCall::call)));

    try (Stream<LabelFile.Row> rows = LabelFile.read(labels)) {
      assertThat(rows.toList()).containsExactlyElementsOf(expected.stream()
          .map(c -> new LabelFile.Row(c.call().getRequestId(), c.call().getAccountId(), c.label())).toList());
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.broker().bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "simulator-roundtrip-test");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      // One more poll catches anything beyond the expected count, which would be a duplicate.
      consumer.poll(Duration.ofMillis(500)).forEach(records::add);
    }
    return records;
  }
}
