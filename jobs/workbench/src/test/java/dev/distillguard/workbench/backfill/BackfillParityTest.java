package dev.distillguard.workbench.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.DetectorKafka;
import dev.distillguard.detector.DistillGuardJob;
import dev.distillguard.detector.config.ConfigException;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.simulate.CampaignSpec;
import dev.distillguard.simulate.KafkaTrafficWriter;
import dev.distillguard.simulate.LabelledCall;
import dev.distillguard.simulate.OrganicTraffic;
import dev.distillguard.simulate.Scenario;
import dev.distillguard.testkit.LocalKafkaBroker;
import dev.distillguard.testkit.RealKafkaExtension;
import dev.distillguard.testkit.TopicReader;
import dev.distillguard.workbench.LocalDetectorRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same input gives the same decisions (same ids, same content) from the live streaming job, the
 * streaming backfill and the batch backfill, and a backfill run twice gives the same decisions twice.
 */
class BackfillParityTest {

  @RegisterExtension
  static final RealKafkaExtension KAFKA = new RealKafkaExtension();

  private static final String GATEWAY = "parity.gateway";
  private static Instant from;
  private static Instant to;

  @BeforeAll
  static void writeTraffic() {
    Scenario traffic = Scenario.builder("parity").seed(5).span(Duration.ofMinutes(80))
        .populations(OrganicTraffic.background(0.2))
        .population(CampaignSpec.builder("parity:hydra").accounts(300).proxyPool(60, 6, 4)
            .requestsPerHourPerAccount(3).startAfter(Duration.ofMinutes(15)).build().population())
        .build();
    LocalKafkaBroker broker = KAFKA.broker();
    broker.createTopic(GATEWAY, 3);
    LocalDetectorRun.createPolicyTopics(broker, DetectorConfig.defaults());
    ApiCall last = null;
    try (KafkaTrafficWriter writer = new KafkaTrafficWriter(broker.bootstrapServers(), GATEWAY)) {
      for (LabelledCall call : traffic) {
        writer.write(call.call());
        last = call.call();
      }
      // One more call three hours on: it carries the live job's watermark past every window and expiry.
      ApiCall trailing = ApiCall.newBuilder(last).setRequestId("parity-trailing").setAccountId("parity-trailing")
          .setEventTime(traffic.end().plus(Duration.ofHours(3))).build();
      writer.write(trailing);
    }
    from = traffic.start();
    to = traffic.end().plus(Duration.ofHours(4));
  }

  @Test
  void liveStreamingBackfillAndBatchBackfillMakeTheSameDecisions() throws Exception {
    List<ThrottleDecision> batch = backfill("batch", "parity.batch");
    List<ThrottleDecision> streaming = backfill("streaming", "parity.streaming");
    List<ThrottleDecision> live = live(batch.size());

    assertThat(batch).isNotEmpty();
    assertThat(batch).anyMatch(d -> d.getAction() != ThrottleAction.REVIEW);
    assertThat(sorted(streaming)).isEqualTo(sorted(batch));
    assertThat(sorted(live)).isEqualTo(sorted(batch));
  }

  @Test
  void aBackfillRunTwiceMakesTheSameDecisionsTwice() throws Exception {
    List<ThrottleDecision> first = backfill("batch", "parity.rerun-1");
    List<ThrottleDecision> second = backfill("batch", "parity.rerun-2");
    assertThat(first).isNotEmpty();
    assertThat(sorted(second)).isEqualTo(sorted(first));
  }

  @Test
  void decisionsExpiredByTheRangeEndAreMarked() throws Exception {
    DetectorConfig config = backfillConfig("batch", "parity.marked");
    LocalDetectorRun.backfill(KAFKA.broker(), config, 2, quiet());
    List<ConsumerRecord<byte[], byte[]>> records =
        TopicReader.readSettled(KAFKA.broker().bootstrapServers(), "parity.marked");
    // The range ends four hours after the traffic: every decision (one hour to live) has expired by then.
    assertThat(records).isNotEmpty().allSatisfy(r ->
        assertThat(r.headers().lastHeader(DetectorKafka.EXPIRED_HEADER)).isNotNull());
  }

  @Test
  void aBackfillRefusesTheLiveThrottleTopicUnlessAskedFor() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DetectorConfig.fromArgs("--mode", "backfill",
            "--backfill.from", from.toString(), "--backfill.to", to.toString(),
            "--backfill.output-topic", "distill-guard.throttle"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("backfill.allow-live-topic");
  }

  private static List<ThrottleDecision> backfill(String execution, String output) throws Exception {
    DetectorConfig config = backfillConfig(execution, output);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    List<ThrottleDecision> decisions = LocalDetectorRun.backfill(KAFKA.broker(), config, 2,
        new PrintStream(console, true, StandardCharsets.UTF_8)).decisions();
    assertThat(console.toString(StandardCharsets.UTF_8)).contains("records read").contains("decisions");
    return decisions;
  }

  private static DetectorConfig backfillConfig(String execution, String output) {
    return LocalDetectorRun.config(KAFKA.broker(), "--input.topic", GATEWAY, "--mode", "backfill",
        "--backfill.from", from.toString(), "--backfill.to", to.toString(), "--backfill.execution", execution,
        "--backfill.output-topic", output, "--backfill.progress-interval", "2s");
  }

  /** The live job, unbounded, until it has written {@code expected} decisions (or a generous timeout). */
  private static List<ThrottleDecision> live(int expected) throws Exception {
    LocalKafkaBroker broker = KAFKA.broker();
    DetectorConfig config = LocalDetectorRun.config(broker, "--input.topic", GATEWAY, "--throttle.topic",
        "parity.live", "--dead-letter.topic", "parity.live-dead-letters", "--transactional-id.prefix", "parity-live");
    broker.createTopic("parity.live", 1);
    broker.createTopic("parity.live-dead-letters", 1);
    Path checkpoints = Files.createTempDirectory("parity-checkpoints");
    Configuration conf = DistillGuardJob.jobConfiguration(config);
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
    DistillGuardJob.defineLive(env, config);
    JobClient job = env.executeAsync("parity live");
    try {
      Supplier<List<ThrottleDecision>> read = () -> LocalDetectorRun.readDecisions(broker, "parity.live");
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      List<ThrottleDecision> decisions = read.get();
      while (decisions.size() < expected && System.nanoTime() < deadline) {
        decisions = awaitMore(read, decisions.size());
      }
      return decisions;
    } finally {
      job.cancel().get();
    }
  }

  /** Reads until the topic has more than {@code seen} decisions or two seconds pass. */
  private static List<ThrottleDecision> awaitMore(Supplier<List<ThrottleDecision>> read, int seen) {
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    List<ThrottleDecision> decisions = read.get();
    while (decisions.size() <= seen && System.nanoTime() < until) {
      decisions = read.get();
    }
    return decisions;
  }

  private static List<ThrottleDecision> sorted(List<ThrottleDecision> decisions) {
    List<ThrottleDecision> out = new ArrayList<>(decisions);
    out.sort(Comparator.comparing(ThrottleDecision::getDecisionId));
    return out;
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
