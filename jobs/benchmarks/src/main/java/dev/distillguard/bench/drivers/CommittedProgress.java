package dev.distillguard.bench.drivers;

import dev.distillguard.testkit.LocalKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a job has read its input topic, over time: the offsets its Kafka source commits when a
 * checkpoint completes, polled while it runs. A checkpoint's offsets are behind its barrier, which every
 * operator has passed when it completes, so a committed position is one the whole job has processed. The
 * rate over a run's later part leaves out what only its start pays for (submission, the JIT compiling
 * the hot paths, the windows filling), which a live job pays once, not per call. A poll sees a
 * checkpoint's offsets only once it has completed and committed, after its barrier passed them, so such a
 * rate reads high by that lag over its span.
 */
final class CommittedProgress implements AutoCloseable {

  /** The sum of the committed offsets over the topic's partitions, at a moment of {@link System#nanoTime}. */
  record Sample(long nanos, long committed) {}

  private final Admin admin;
  private final String groupId;
  private final ScheduledExecutorService poller;
  private final List<Sample> samples = new ArrayList<>();

  private CommittedProgress(Admin admin, String groupId, Duration every) {
    this.admin = admin;
    this.groupId = groupId;
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "committed-progress");
      thread.setDaemon(true);
      return thread;
    });
    poller.scheduleWithFixedDelay(this::poll, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  static CommittedProgress watch(LocalKafkaBroker broker, String groupId, Duration every) {
    return new CommittedProgress(broker.admin(), groupId, every);
  }

  /** The end offsets of {@code topic} summed over its partitions: what a job that reads it all has read. */
  static long endOffsets(LocalKafkaBroker broker, String topic) throws Exception {
    try (Admin admin = broker.admin()) {
      return endOffsets(admin, topic);
    }
  }

  static long endOffsets(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
    return admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
  }

  /** The offsets {@code groupId} has committed, summed over its partitions. */
  static long committedOffsets(Admin admin, String groupId) throws Exception {
    // Bounded: a broker that stops answering fails the benchmark rather than hanging it.
    Map<TopicPartition, OffsetAndMetadata> offsets =
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(60, TimeUnit.SECONDS);
    long sum = 0;
    for (OffsetAndMetadata offset : offsets.values()) {
      if (offset != null) {
        sum += offset.offset();
      }
    }
    return sum;
  }

  private void poll() {
    try {
      long committed = committedOffsets(admin, groupId);
      long now = System.nanoTime();
      synchronized (samples) {
        samples.add(new Sample(now, committed));
      }
    } catch (Exception e) {
      // A poll that fails (the group not there yet) is a sample missed, not a failed benchmark.
    }
  }

  List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  /**
   * Calls per second from the first sample that had committed at least {@code fromShare} of {@code end}
   * (the topic's end offsets) to the job's end at {@code endNanos}, scaled to {@code calls}; empty when no
   * sample reached it before the end, or the span is too short to tell (under a second).
   */
  static OptionalDouble rateAfter(List<Sample> samples, double fromShare, long end, long calls, long endNanos) {
    for (Sample sample : samples) {
      if (sample.committed() >= fromShare * end && sample.nanos() < endNanos) {
        double seconds = (endNanos - sample.nanos()) / 1e9;
        if (seconds < 1.0 || end <= 0) {
          return OptionalDouble.empty();
        }
        double share = 1.0 - Math.min(1.0, (double) sample.committed() / end);
        return OptionalDouble.of(calls * share / seconds);
      }
    }
    return OptionalDouble.empty();
  }

  @Override
  public void close() {
    poller.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }
}
