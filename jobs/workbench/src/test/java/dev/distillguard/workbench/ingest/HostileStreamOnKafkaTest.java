package dev.distillguard.workbench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.DeadLetter;
import dev.distillguard.detector.DetectorKafka;
import dev.distillguard.detector.DistillGuardJob;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.ingest.DuplicateFilter;
import dev.distillguard.detector.ingest.IngestRouter;
import dev.distillguard.detector.ingest.RejectReason;
import dev.distillguard.simulate.KafkaTrafficWriter;
import dev.distillguard.simulate.LabelledCall;
import dev.distillguard.simulate.OrganicTraffic;
import dev.distillguard.simulate.Scenario;
import dev.distillguard.testkit.FreePorts;
import dev.distillguard.testkit.LocalKafkaBroker;
import dev.distillguard.testkit.RealKafkaExtension;
import dev.distillguard.testkit.TopicReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live job on a real broker, fed good calls mixed with garbage, invalid calls, an unknown schema,
 * redeliveries and, once event time has moved on, late calls. While it runs, its metrics are scraped from
 * the Prometheus reporter that flink-conf/ configures, as Prometheus would: the counts reconcile exactly
 * (read = processed + dead-lettered + duplicate + late), dead letters are labelled by reason, the key
 * spaces, decisions, watermark lag and RocksDB state size are there. The dead-letter topic, read
 * {@code read_committed}, holds each bad record with its original bytes, reason, topic, partition and
 * offset.
 */
class HostileStreamOnKafkaTest {

  @RegisterExtension
  static final RealKafkaExtension KAFKA = new RealKafkaExtension();

  private static final String GATEWAY = "hs.gateway";
  private static final String DEAD_LETTERS = "hs.dead-letters";
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  /** A record written to the gateway topic and what the job must do with it. */
  private record Sent(byte[] key, byte[] value, Future<RecordMetadata> metadata, String reason) {}

  private static final List<Sent> badRecords = new ArrayList<>();
  private static int goodCalls;
  private static int duplicates;
  private static int lateCalls;
  private static long total;
  private static int prometheusPort;
  private static JobClient job;
  private static PrometheusScrape settled;
  private static Map<String, Object> accumulators;
  private static List<ConsumerRecord<byte[], byte[]>> deadLetterRecords;

  @BeforeAll
  static void runTheJobOnAMixedStream() throws Exception {
    LocalKafkaBroker broker = KAFKA.broker();
    DetectorConfig config = dev.distillguard.workbench.LocalDetectorRun.config(broker, "--input.topic", GATEWAY,
        "--throttle.topic", "hs.throttle", "--dead-letter.topic", DEAD_LETTERS, "--transactional-id.prefix", "hs-live");
    broker.createTopic(GATEWAY, 3);
    broker.createTopic("hs.throttle", 1);
    broker.createTopic(DEAD_LETTERS, 1);
    dev.distillguard.workbench.LocalDetectorRun.createPolicyTopics(broker, config);

    List<ApiCall> good = new ArrayList<>();
    for (LabelledCall call : Scenario.builder("hostile-stream").seed(21).span(Duration.ofMinutes(20))
        .populations(OrganicTraffic.background(0.2)).build()) {
      good.add(call.call());
    }
    long end = good.get(good.size() - 1).getEventTime().toEpochMilli();
    long lastPane = Math.floorDiv(end, 60_000L) * 60_000L;

    Configuration conf = DistillGuardJob.jobConfiguration(config);
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        Files.createTempDirectory("hostile-stream-checkpoints").toUri().toString());
    conf.setString("state.backend.type", "rocksdb");
    // The cluster's own reporter and RocksDB metric settings, so this checks flink-conf/ as committed; only
    // the port is this run's.
    Map<String, String> clusterConf = clusterMetricSettings();
    assertThat(clusterConf).containsKey("metrics.reporter.prom.factory.class");
    clusterConf.forEach(conf::setString);
    prometheusPort = FreePorts.pick();
    conf.setString("metrics.reporter.prom.port", Integer.toString(prometheusPort));

    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        KafkaTrafficWriter.producerProperties(broker.bootstrapServers()), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      // Phase 1: the good traffic, redeliveries of calls in its last pane (never late, so duplicates), and
      // one record of each kind of bad input on partition 1.
      List<ApiCall> lastPaneCalls = new ArrayList<>();
      for (ApiCall call : good) {
        send(producer, null, call, AvroBinary.fingerprintHeader(ApiCall.getClassSchema()), null);
        goodCalls++;
        if (call.getEventTime().toEpochMilli() >= lastPane && lastPaneCalls.size() < 10) {
          lastPaneCalls.add(call);
        }
      }
      for (ApiCall call : lastPaneCalls) {
        send(producer, null, call, AvroBinary.fingerprintHeader(ApiCall.getClassSchema()), null);
        duplicates++;
      }
      ApiCall sample = good.get(good.size() - 1);
      byte[] whole = AvroBinary.encode(sample);
      bad(producer, new byte[] {0x02, (byte) 0xff, 0x7f}, null, end, "UNDECODABLE");
      bad(producer, Arrays.copyOf(whole, whole.length - 2), null, end, "UNDECODABLE");
      bad(producer, new byte[0], null, end, "EMPTY_RECORD");
      bad(producer, null, null, end, "EMPTY_RECORD");
      bad(producer, AvroBinary.encode(ApiCall.newBuilder(sample).setRequestId("hs-ip").setClientIp("1.2.3.04").build()),
          null, end, "INVALID_CLIENT_IP");
      bad(producer, AvroBinary.encode(ApiCall.newBuilder(sample).setRequestId("hs-tokens").setPromptTokens(-7).build()),
          null, end, "NEGATIVE_TOKENS");
      bad(producer, AvroBinary.encode(ApiCall.newBuilder(sample).setRequestId("hs-empty").setAccountId(" ").build()),
          null, end, "MISSING_REQUIRED_VALUE");
      bad(producer, AvroBinary.encode(ApiCall.newBuilder(sample).setRequestId("hs-future")
          .setEventTime(Instant.ofEpochMilli(end + 3_600_000)).build()), null, end, "EVENT_TIME_IN_FUTURE");
      bad(producer, AvroBinary.encode(ApiCall.newBuilder(sample).setRequestId("hs-schema").build()),
          "0123456789abcdef".getBytes(StandardCharsets.US_ASCII), end, "UNKNOWN_WRITER_SCHEMA");
      bad(producer, AvroBinary.encode(ApiCall.newBuilder(sample).setRequestId("hs-huge").setClientIp("huge")
          .setUserAgent("U".repeat(600_000)).build()), null, end, "INVALID_CLIENT_IP");
      producer.flush();
      long phaseOne = goodCalls + duplicates + badRecords.size();

      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
      DistillGuardJob.defineLive(env, config);
      job = env.executeAsync("hostile stream");

      // Phase 2, once the job has read phase 1 and its event time has caught up: calls ten minutes behind
      // (late), and redeliveries of the first calls (late as well, so counted late, not duplicate).
      awaitScrape(s -> s.sum("_ingest_recordsRead") >= phaseOne
          && minWatermarkOf(s, "route") >= end - 60_000);
      for (int i = 0; i < 3; i++) {
        send(producer, null, ApiCall.newBuilder(good.get(i)).setRequestId("hs-late-" + i)
            .setEventTime(Instant.ofEpochMilli(end - 600_000)).build(),
            AvroBinary.fingerprintHeader(ApiCall.getClassSchema()), null);
        send(producer, null, good.get(i), AvroBinary.fingerprintHeader(ApiCall.getClassSchema()), null);
        lateCalls += 2;
      }
      producer.flush();
    }
    total = goodCalls + duplicates + badRecords.size() + lateCalls;
    // Settled: every record counted at ingest, and every processed call through each key space's shuffle.
    int bands = config.templateBands();
    settled = awaitScrape(s -> s.sum("_ingest_recordsRead") == total
        && s.sum("_ingest_callsProcessed") + s.sum("_ingest_recordsDeadLettered") + s.sum("_ingest_callsDuplicate")
            + s.sum("_ingest_callsLate") == total
        && s.sum("_features_key_space_calls", k -> k.label("key_space").equals("subnet"))
            == s.sum("_ingest_callsProcessed")
        && s.sum("_features_key_space_calls", k -> k.label("key_space").equals("template"))
            == s.sum("_ingest_callsProcessed") * bands);
    accumulators = awaitAccumulators();
    deadLetterRecords = awaitDeadLetters(badRecords.size());
  }

  @AfterAll
  static void stop() throws Exception {
    if (job != null) {
      job.cancel().get();
    }
  }

  @Test
  void theCountsReconcileExactlyInTheScrapedMetrics() {
    double read = settled.sum("_ingest_recordsRead");
    double processed = settled.sum("_ingest_callsProcessed");
    double deadLettered = settled.sum("_ingest_recordsDeadLettered");
    double duplicate = settled.sum("_ingest_callsDuplicate");
    double late = settled.sum("_ingest_callsLate");

    assertThat(read).isEqualTo(total).isEqualTo(processed + deadLettered + duplicate + late);
    assertThat(processed).isEqualTo(goodCalls);
    assertThat(deadLettered).isEqualTo(badRecords.size());
    assertThat(duplicate).isEqualTo(duplicates);
    assertThat(late).isEqualTo(lateCalls);
  }

  @Test
  void theAccumulatorsSayTheSame() {
    assertThat(count(IngestRouter.READ)).isEqualTo(total);
    assertThat(count(DuplicateFilter.PROCESSED)).isEqualTo(goodCalls);
    assertThat(count(IngestRouter.DEAD_LETTERED)).isEqualTo(badRecords.size());
    assertThat(count(DuplicateFilter.DUPLICATES)).isEqualTo(duplicates);
    assertThat(count(IngestRouter.LATE)).isEqualTo(lateCalls);
  }

  @Test
  void deadLettersAreCountedByReason() {
    for (RejectReason reason : RejectReason.values()) {
      long expected = badRecords.stream().filter(b -> b.reason().equals(reason.name())).count();
      assertThat(settled.sum("_ingest_reason_deadLetters", s -> s.label("reason").equals(reason.name())))
          .as("dead letters %s", reason).isEqualTo(expected);
    }
    assertThat(settled.named("_ingest_recordsReadPerSecond")).isNotEmpty();
    assertThat(settled.named("_ingest_callsLatePerSecond")).isNotEmpty();
  }

  /** Each key space sees every processed call once; the template key space once per LSH band. */
  @Test
  void eachKeySpaceCountsItsCalls() {
    assertThat(settled.sum("_features_key_space_calls", s -> s.label("key_space").equals("account")))
        .isEqualTo(goodCalls);
    assertThat(settled.sum("_features_key_space_calls", s -> s.label("key_space").equals("subnet")))
        .isEqualTo(goodCalls);
    assertThat(settled.sum("_features_key_space_calls", s -> s.label("key_space").equals("template")))
        .isEqualTo(goodCalls * (double) DetectorConfig.defaults().templateBands());
    assertThat(settled.named("_features_key_space_callsPerSecond")).extracting(s -> s.label("key_space"))
        .contains("account", "subnet", "template");
  }

  @Test
  void decisionsAreMeteredByTypeAndAction() {
    List<PrometheusScrape.Sample> meters = settled.named("_decisions_entity_type_action_decisionsPerSecond");
    assertThat(meters).extracting(s -> s.label("entity_type") + "/" + s.label("action"))
        .contains("ACCOUNT/REVIEW", "ACCOUNT/THROTTLE", "ACCOUNT/BLOCK", "SUBNET/REVIEW", "CAMPAIGN/BLOCK");
  }

  /** The traffic is from 2025: the watermark is that far behind the wall clock. */
  @Test
  void watermarkLagIsAGauge() {
    List<PrometheusScrape.Sample> lag = settled.named("_ingest_watermarkLagMs");
    assertThat(lag).isNotEmpty();
    assertThat(lag).allSatisfy(s -> assertThat(s.value()).isGreaterThan(Duration.ofDays(30).toMillis()));
  }

  /**
   * RocksDB's own estimates of keys and live bytes, per operator and state: the key panes of each key
   * space's feature operator (a template key's calls until their pane's first window folds them), and the
   * duplicate filter's request ids.
   */
  @Test
  void stateSizeIsReportedPerKeySpace() throws Exception {
    List<String> featureOperators =
        List.of("account_window_features", "subnet_window_features", "template_window_features");
    List<String> paneStates = List.of("key_panes_by_start", "template_pending_calls");
    // Flink samples RocksDB's properties every few seconds: wait for a sample with the panes in it.
    PrometheusScrape scrape = awaitScrape(s -> featureOperators.stream().allMatch(op -> s.sum("estimate_num_keys",
        k -> paneStates.contains(k.label("column_family")) && k.label("operator_name").equals(op)) > 0));
    assertThat(scrape.named("estimate_num_keys", s -> s.label("column_family").equals("recent_request_ids")))
        .extracting(s -> s.label("operator_name")).contains("drop_duplicate_request_ids");
    assertThat(scrape.named("estimate_live_data_size", s -> s.label("column_family").equals("key_panes_by_start")))
        .extracting(s -> s.label("operator_name")).containsAll(featureOperators);
    assertThat(scrape.named("estimate_live_data_size", s -> s.label("column_family").equals("template_pending_calls")))
        .extracting(s -> s.label("operator_name")).containsOnly("template_window_features");
    scrape.samples.stream().filter(s -> s.name().contains("estimate_")
            && (paneStates.contains(s.label("column_family")) || s.label("column_family").equals("recent_request_ids")))
        .forEach(s -> System.out.println("RocksDB " + s.name() + " " + s.label("operator_name") + " "
            + s.label("subtask_index") + " = " + s.value()));
  }

  @Test
  void theDeadLetterTopicHoldsEachBadRecordWithItsBytesReasonAndSource() throws Exception {
    Map<String, DeadLetter> bySource = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : deadLetterRecords) {
      DeadLetter letter = AvroBinary.decode(record.value(), DeadLetter.class);
      String source = letter.getSourceTopic() + "/" + letter.getSourcePartition() + "/" + letter.getSourceOffset();
      assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(source);
      bySource.put(source, letter);
    }
    assertThat(bySource).hasSize(badRecords.size());
    for (Sent bad : badRecords) {
      RecordMetadata written = bad.metadata().get();
      DeadLetter letter = bySource.get(GATEWAY + "/" + written.partition() + "/" + written.offset());
      assertThat(letter).as("dead letter of %s at %s", bad.reason(), written).isNotNull();
      assertThat(letter.getReason()).isEqualTo(bad.reason());
      assertThat(letter.getSourceTimestamp().toEpochMilli()).isEqualTo(written.timestamp());
      assertThat(letter.getOriginalKey()).isEqualTo(ByteBuffer.wrap(bad.key()));
      if (bad.value() == null) {
        assertThat(letter.getOriginalValue()).isNull();
      } else if (bad.value().length > 262_144) {
        assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(Arrays.copyOf(bad.value(), 262_144)));
        assertThat(letter.getDetail()).contains("cut to its first 262144 of " + bad.value().length);
      } else {
        assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(bad.value()));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------

  private static void send(KafkaProducer<byte[], byte[]> producer, Integer partition, ApiCall call, byte[] header,
      String reason) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(GATEWAY, partition,
        call.getEventTime().toEpochMilli(), call.getAccountId().getBytes(StandardCharsets.UTF_8),
        AvroBinary.encode(call));
    record.headers().add(AvroBinary.SCHEMA_HEADER, header);
    producer.send(record);
  }

  private static void bad(KafkaProducer<byte[], byte[]> producer, byte[] value, byte[] header, long timestamp,
      String reason) {
    byte[] key = ("bad-" + badRecords.size()).getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(GATEWAY, 1, timestamp, key, value);
    if (header != null) {
      record.headers().add(AvroBinary.SCHEMA_HEADER, header);
    }
    badRecords.add(new Sent(key, value, producer.send(record), reason));
  }

  /** The least watermark over the subtasks of the operator whose name contains {@code operator}. */
  private static double minWatermarkOf(PrometheusScrape scrape, String operator) {
    return scrape.named("_operator_currentInputWatermark", s -> s.label("operator_name").contains(operator))
        .stream().mapToDouble(PrometheusScrape.Sample::value).min().orElse(Double.NEGATIVE_INFINITY);
  }

  private interface Condition {
    boolean holds(PrometheusScrape scrape);
  }

  /** Scrapes until {@code condition} holds; fails with the last scrape's ingest lines after the patience. */
  private static PrometheusScrape awaitScrape(Condition condition) throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    PrometheusScrape last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = PrometheusScrape.of(prometheusPort);
        if (condition.holds(last)) {
          return last;
        }
      } catch (IOException notYetListening) {
        // The reporter starts with the MiniCluster.
      }
      awaitJobEndFor(Duration.ofMillis(500));
    }
    throw new AssertionError("metrics never settled; last ingest metrics:\n" + (last == null ? "none"
        : String.join("\n", last.text.lines().filter(l -> l.contains("_ingest_") || l.contains("Watermark")).toList())));
  }

  /** Reads the dead-letter topic until the checkpoint has committed {@code expected} records. */
  private static List<ConsumerRecord<byte[], byte[]>> awaitDeadLetters(int expected) {
    return TopicReader.awaitCommitted(KAFKA.broker().bootstrapServers(), DEAD_LETTERS,
        records -> records.size() >= expected, PATIENCE);
  }

  /** A running job's accumulators reach the client with the TaskManagers' heartbeats: a few seconds late. */
  private static Map<String, Object> awaitAccumulators() throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    Map<String, Object> latest = job.getAccumulators().get();
    while (System.nanoTime() < deadline && !(latest.get(IngestRouter.READ) instanceof Number n && n.longValue() == total)) {
      awaitJobEndFor(Duration.ofMillis(500));
      latest = job.getAccumulators().get();
    }
    return latest;
  }

  /**
   * Between two reads of what the running job reports (its metrics endpoint, its accumulators), waits on
   * the job itself: a job that fails ends the wait at once with its cause, instead of the test waiting out
   * its patience.
   */
  private static void awaitJobEndFor(Duration wait) throws Exception {
    try {
      job.getJobExecutionResult().get(wait.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("the unbounded hostile-stream job ended while the test was still reading it");
    } catch (TimeoutException stillRunning) {
      // The normal case: the job runs on.
    }
  }

  private static long count(String accumulator) {
    Object value = accumulators.get(accumulator);
    return value instanceof Number n ? n.longValue() : -1;
  }

  /** The reporter and RocksDB metric lines of flink-conf/config.yaml (flat keys, one per line). */
  private static Map<String, String> clusterMetricSettings() throws IOException {
    Map<String, String> settings = new HashMap<>();
    for (String line : Files.readAllLines(java.nio.file.Path.of("../../flink-conf/config.yaml"))) {
      int colon = line.indexOf(": ");
      if (!line.startsWith("#") && colon > 0
          && (line.startsWith("metrics.reporter.") || line.startsWith("state.backend.rocksdb.metrics."))) {
        settings.put(line.substring(0, colon).trim(), line.substring(colon + 2).trim());
      }
    }
    return settings;
  }
}
