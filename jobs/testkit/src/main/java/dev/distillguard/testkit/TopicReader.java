package dev.distillguard.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a whole topic as it stands, the way its consumers would: {@code read_committed}, so only
 * records of committed transactions count, up to the end offsets taken when reading starts.
 */
public final class TopicReader {

  private TopicReader() {}

  public static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrapServers, String topic) {
    return read(bootstrapServers, topic, "read_committed", Duration.ofMinutes(2));
  }

  public static List<ConsumerRecord<byte[], byte[]>> read(String bootstrapServers, String topic, String isolation,
      Duration timeout) {
    try (KafkaConsumer<byte[], byte[]> consumer = fromBeginning(bootstrapServers, topic, isolation, timeout)) {
      return readTo(consumer, consumer.endOffsets(new ArrayList<>(consumer.assignment()), timeout), topic, timeout);
    }
  }

  /**
   * Reads, {@code read_committed}, a topic whose writers have finished, to the end of its log: it waits for
   * every transaction open when it starts to be committed or aborted. A producer's commit returns once the
   * transaction coordinator has logged it, before the commit markers reach the partitions, so the committed
   * end offset taken just after a job finishes can still stand before the job's last transaction, and
   * {@link #readCommitted} would then miss it. A transaction that is never decided fails this after two
   * minutes, where {@link #readCommitted} would silently read less; live readers want that one.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readSettled(String bootstrapServers, String topic) {
    return readSettled(bootstrapServers, topic, Duration.ofMinutes(2));
  }

  /**
   * {@link #readSettled(String, String)} with its own timeout.
   *
   * @throws IllegalStateException if a transaction open at the start is still undecided after {@code timeout}
   */
  public static List<ConsumerRecord<byte[], byte[]>> readSettled(String bootstrapServers, String topic,
      Duration timeout) {
    Map<TopicPartition, Long> logEnd;
    try (KafkaConsumer<byte[], byte[]> uncommitted =
        fromBeginning(bootstrapServers, topic, "read_uncommitted", timeout)) {
      logEnd = uncommitted.endOffsets(new ArrayList<>(uncommitted.assignment()), timeout);
    }
    try (KafkaConsumer<byte[], byte[]> consumer = fromBeginning(bootstrapServers, topic, "read_committed", timeout)) {
      return readTo(consumer, logEnd, topic, timeout);
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readTo(KafkaConsumer<byte[], byte[]> consumer,
      Map<TopicPartition, Long> end, String topic, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!reachedEnd(consumer, end)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("could not read " + topic + " to its end offsets " + end + " in " + timeout);
      }
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        records.add(record);
      }
    }
    return records;
  }

  /**
   * Reads a topic {@code read_committed} from its beginning as records are committed, until the records
   * seen so far satisfy {@code done}; blocks in the consumer's poll rather than sleeping, so it returns as
   * soon as the record that completes the condition is readable.
   *
   * @throws AssertionError if {@code done} never holds within {@code timeout}
   */
  public static List<ConsumerRecord<byte[], byte[]>> awaitCommitted(String bootstrapServers, String topic,
      java.util.function.Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = fromBeginning(bootstrapServers, topic, "read_committed", timeout)) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(records)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the condition on " + topic + " did not hold within " + timeout + " ("
              + records.size() + " records read)");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofNanos(Math.min(left, 1_000_000_000L)))) {
          records.add(record);
        }
      }
    }
    return records;
  }

  /**
   * A consumer of every partition of {@code topic}, positioned at the beginning, reading with
   * {@code isolation} ({@code read_committed} or {@code read_uncommitted}), committing nothing.
   */
  public static KafkaConsumer<byte[], byte[]> fromBeginning(String bootstrapServers, String topic, String isolation,
      Duration timeout) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
        .map(p -> new TopicPartition(topic, p.partition()))
        .collect(Collectors.toList());
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
