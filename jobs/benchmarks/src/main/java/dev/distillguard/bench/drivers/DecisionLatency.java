package dev.distillguard.bench.drivers;

import dev.distillguard.bench.load.GatewayLoad;
import dev.distillguard.bench.load.LoadWriter;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.EntityType;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.DistillGuardJob;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.testkit.LocalKafkaBroker;
import dev.distillguard.testkit.TopicReader;
import dev.distillguard.workbench.LocalDetectorRun;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Decision latency at a steady load: calls are written in real time ({@code --rate} per second, event time
 * = the wall clock, as the gateway stamps them) to the live job, and a rate limiter's consumer
 * ({@code read_committed}) notes when each decision becomes readable. The watermark cannot pass a window's
 * end before a call stamped {@code out-of-orderness} later has been written, so latency is counted from
 * {@code window_end + out-of-orderness} to readable: it holds the job's processing, the wait for the next
 * checkpoint ({@code --checkpoint-interval}, 2 s by default) and the transaction commit. The throttle topic
 * stamps records with the broker's append time, which splits each latency in two: due to appended (watermark,
 * window computation, patterns, ledger, producer) and appended to readable (the wait for the checkpoint that
 * commits the transaction).
 */
public final class DecisionLatency {

  private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private DecisionLatency() {}

  public static void main(String[] argv) {
    BenchEnvironment.exitWhenDone(() -> measure(argv));
  }

  private static void measure(String[] argv) throws Exception {
    BenchArgs args = new BenchArgs(argv, "bin/bench latency [--rate CALLS_PER_S] [--minutes N] [--accounts N] "
        + "[--campaign-share X] [--state heap|rocksdb] [--changelog true|false] [--checkpoint-interval 2s] [--partitions N] "
        + "[--parallelism N]");
    double rate = args.doubleValue("rate", 10_000);
    int minutes = args.intValue("minutes", 6);
    int accounts = args.intValue("accounts", 20_000);
    double campaignShare = args.doubleValue("campaign-share", 0.05);
    BenchEnvironment.State state = BenchEnvironment.state(args);
    String checkpointInterval = args.string("checkpoint-interval", "2s");
    int partitions = args.intValue("partitions", 4);
    int parallelism = args.intValue("parallelism", 2);
    args.requireAllKnown();

    try (LocalKafkaBroker broker = BenchEnvironment.startBroker()) {
      String prefix = "bench.latency";
      DetectorConfig config = LocalDetectorRun.config(broker, "--input.topic", prefix + ".gateway",
          "--throttle.topic", prefix + ".throttle", "--dead-letter.topic", prefix + ".dead-letters",
          "--transactional-id.prefix", prefix, "--group.id", prefix,
          "--checkpoint.interval", checkpointInterval);
      LocalDetectorRun.createTopics(broker, config, partitions, Map.of("message.timestamp.type", "LogAppendTime"));
      Path work = BenchEnvironment.tempDir("distill-guard-bench-latency-");
      try {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism,
            BenchEnvironment.flink(DistillGuardJob.jobConfiguration(config), state, work.resolve("checkpoints"),
                work.resolve("rocksdb")));
        DistillGuardJob.defineLive(env, config);
        JobClient job = env.executeAsync("distill-guard decision latency");
        try {
          awaitRunning(job);
          // Starts on a whole minute, as the windows do, a little ahead so the writer is not behind at once.
          long startMillis = (System.currentTimeMillis() / 60_000 + 1) * 60_000;
          GatewayLoad load = new GatewayLoad((long) (rate * 60 * minutes), accounts, rate, 0, campaignShare, 11,
              Instant.ofEpochMilli(startMillis));
          System.out.printf(Locale.ROOT, "writing %,.0f calls/s in real time for %d min from %s (%,d accounts, "
              + "%.0f%% of them a hydra campaign) ...%n", rate, minutes, load.start(), accounts, campaignShare * 100);
          ConcurrentNavigableMap<Long, Long> sent = new ConcurrentSkipListMap<>();
          CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() ->
              LoadWriter.writePaced(broker.bootstrapServers(), config.kafka().inputTopic(), load, sent));
          long outOfOrderness = config.eventTime().outOfOrderness().toMillis();
          Latencies latency = readDecisions(broker, config.kafka().throttleTopic(), outOfOrderness, writer, sent);
          long writerLag = writer.join();
          System.out.printf(Locale.ROOT, "RESULT latency at %,.0f calls/s (%s, checkpoints every %s, "
                  + "parallelism %d): %,d decisions, window end + %d ms out-of-orderness to readable "
                  + "(read_committed): %s; of which due to appended %s, appended to readable (checkpoint and commit) "
                  + "%s; the writer fell behind its schedule by at most %,d ms; from the writer's first call "
                  + "past window end + out-of-orderness (the earliest the watermark can pass the window end "
                  + "when the writer is late) to readable: %s; due to readable by entity type: %s%n"
                  + "RESULT latency by window end (UTC): %s%n",
              rate, state.describe(), checkpointInterval, parallelism,
              latency.total().getTotalCount(), outOfOrderness, percentiles(latency.total()),
              percentiles(latency.toAppended()), percentiles(latency.appendedToReadable()), writerLag,
              percentiles(latency.fromSent()), byEntityType(latency.byEntityType()),
              byWindowEnd(latency.byWindowEnd()));
        } finally {
          job.cancel().get();
        }
      } finally {
        BenchEnvironment.deleteRecursively(work);
      }
    }
  }

  private static void awaitRunning(JobClient job) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (job.getJobStatus().get() != JobStatus.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the job did not start within 2 minutes");
      }
      Thread.sleep(200); // the local job reports no event for this; polling its status is the way
    }
  }

  /**
   * Milliseconds from due to readable, and its two parts; and from the moment the writer handed over the
   * first call at or past due, which is later than due by however far the writer had fallen behind.
   */
  private record Latencies(Histogram total, Histogram toAppended, Histogram appendedToReadable,
      Histogram fromSent, Map<EntityType, Histogram> byEntityType, Map<Long, WindowEnd> byWindowEnd) {}

  /** The decisions of one window end: how many, and the least and most due to readable and to appended. */
  private static final class WindowEnd {
    long decisions;
    long leastToReadable = Long.MAX_VALUE;
    long mostToReadable;
    long leastToAppended = Long.MAX_VALUE;
    long mostToAppended;

    void add(long toReadable, long toAppended) {
      decisions++;
      leastToReadable = Math.min(leastToReadable, toReadable);
      mostToReadable = Math.max(mostToReadable, toReadable);
      leastToAppended = Math.min(leastToAppended, toAppended);
      mostToAppended = Math.max(mostToAppended, toAppended);
    }
  }

  private static Histogram histogram() {
    return new Histogram(3_600_000L, 3);
  }

  /**
   * Due to readable by entity type. The ledger releases every decision once the least watermark of its
   * inputs passes, so this shows which kind of decision sets the percentiles.
   */
  private static String byEntityType(Map<EntityType, Histogram> byType) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<EntityType, Histogram> type : byType.entrySet()) {
      out.append(out.length() == 0 ? "" : "; ").append(type.getKey()).append(' ')
          .append(String.format(Locale.ROOT, "%,d: ", type.getValue().getTotalCount()))
          .append(percentiles(type.getValue()));
    }
    return out.toString();
  }

  /**
   * Each window end's decisions and their spread: a slow window end shows whether the job (due to
   * appended) or the commit held it.
   */
  private static String byWindowEnd(Map<Long, WindowEnd> byEnd) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<Long, WindowEnd> end : byEnd.entrySet()) {
      WindowEnd w = end.getValue();
      out.append(out.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT,
          "%s %,d decisions, due to readable %,d-%,d ms, due to appended %,d-%,d ms",
          UTC_TIME.format(Instant.ofEpochMilli(end.getKey())), w.decisions,
          w.leastToReadable, w.mostToReadable, w.leastToAppended, w.mostToAppended));
    }
    return out.toString();
  }

  private static String percentiles(Histogram h) {
    return String.format(Locale.ROOT, "p50 %,d ms, p90 %,d ms, p99 %,d ms, max %,d ms", h.getValueAtPercentile(50),
        h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getMaxValue());
  }

  /** Reads decisions as they become readable until the writer is done and 30 s more have passed. */
  private static Latencies readDecisions(LocalKafkaBroker broker, String topic, long outOfOrderness,
      CompletableFuture<Long> writer, ConcurrentNavigableMap<Long, Long> sent) {
    Latencies latencies = new Latencies(histogram(), histogram(), histogram(), histogram(),
        new EnumMap<>(EntityType.class), new TreeMap<>());
    try (KafkaConsumer<byte[], byte[]> consumer =
        TopicReader.fromBeginning(broker.bootstrapServers(), topic, "read_committed", Duration.ofMinutes(1))) {
      long stopAt = Long.MAX_VALUE;
      while (System.currentTimeMillis() < stopAt) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          long readable = System.currentTimeMillis();
          ThrottleDecision decision = AvroBinary.decode(record.value(), ThrottleDecision.class);
          long due = decision.getWindowEnd().toEpochMilli() + outOfOrderness;
          long appended = record.timestamp();
          long dueToReadable = Math.max(0, readable - due);
          latencies.total().recordValue(dueToReadable);
          latencies.byEntityType().computeIfAbsent(decision.getEntityType(), type -> histogram())
              .recordValue(dueToReadable);
          long dueToAppended = Math.max(0, appended - due);
          latencies.toAppended().recordValue(dueToAppended);
          latencies.byWindowEnd().computeIfAbsent(decision.getWindowEnd().toEpochMilli(), end -> new WindowEnd())
              .add(dueToReadable, dueToAppended);
          latencies.appendedToReadable().recordValue(Math.max(0, readable - appended));
          // The watermark passed the window end only once a call past due was read, so never before this.
          Map.Entry<Long, Long> firstPastDue = sent.ceilingEntry(due);
          long passable = firstPastDue == null ? due : Math.max(due, firstPastDue.getValue());
          latencies.fromSent().recordValue(Math.max(0, readable - passable));
        }
        if (stopAt == Long.MAX_VALUE && writer.isDone()) {
          stopAt = System.currentTimeMillis() + 30_000;
        }
      }
    }
    return latencies;
  }
}
