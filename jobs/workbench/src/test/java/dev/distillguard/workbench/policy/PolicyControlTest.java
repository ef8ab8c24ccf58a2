package dev.distillguard.workbench.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.Allowlist;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.Capability;
import dev.distillguard.contract.Denylist;
import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.contract.EntityType;
import dev.distillguard.contract.PolicyOutcome;
import dev.distillguard.contract.PolicyStatus;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.DistillGuardJob;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.simulate.KafkaTrafficWriter;
import dev.distillguard.testkit.LocalKafkaBroker;
import dev.distillguard.testkit.RealKafkaExtension;
import dev.distillguard.testkit.TopicReader;
import dev.distillguard.workbench.LocalDetectorRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Detection policy changes reach the running job through the control topic: an allowlist entry turns a
 * customer's throttle into a review within a window, a bad policy is refused with its reasons while the
 * one in force keeps working, and the policy in force survives a stop with a savepoint.
 */
class PolicyControlTest {

  @RegisterExtension
  static final RealKafkaExtension KAFKA = new RealKafkaExtension();

  private static final Instant T0 = Instant.parse("2025-06-02T09:00:00Z");
  private static final Duration WINDOW = DetectorConfig.defaults().features().windowSize();
  private static final Duration WAIT = Duration.ofMinutes(3);

  @Test
  void anAllowlistedCustomerDropsToReviewWithinOneWindowWithoutARestart() throws Exception {
    Run run = new Run("allowlist");
    JobClient job = run.start(null);
    try {
      run.extract("acme-batch", "org-acme", 0, 20);
      run.awaitDecision(d -> d.getEntityId().equals("acme-batch") && d.getAction() != ThrottleAction.REVIEW);

      Instant effective = T0.plus(Duration.ofMinutes(20));
      DetectionPolicy allow = policy(1, effective);
      allow.getAllowlist().getAccounts().add("acme-batch");
      run.publish(allow);
      run.awaitStatus(s -> s.getOutcome() == PolicyOutcome.ACCEPTED);
      // A second extractor starting now shows the job is reading on; it is throttled as before.
      run.extract(List.of("acme-batch", "probe-3"), List.of("org-acme"), 20, 40);
      run.awaitDecision(d -> d.getEntityId().equals("probe-3") && d.getAction() != ThrottleAction.REVIEW);

      ThrottleDecision review = run.awaitDecision(d -> d.getEntityId().equals("acme-batch")
          && d.getDecidedAt().isAfter(effective));
      assertThat(review.getAction()).isEqualTo(ThrottleAction.REVIEW);
      assertThat(review.getMaxRequestsPerMinute()).isNull();
      assertThat(review.getDecidedAt()).isBeforeOrEqualTo(effective.plus(WINDOW));
      assertThat(review.getReasons().get(0)).contains("allowlisted by policy v1");
      assertThat(run.decisions()).filteredOn(d -> d.getEntityId().equals("acme-batch")
              && d.getDecidedAt().isAfter(effective))
          .isNotEmpty().allMatch(d -> d.getAction() == ThrottleAction.REVIEW);
      PolicyStatus accepted = run.awaitStatus(s -> s.getOutcome() == PolicyOutcome.ACCEPTED);
      assertThat(accepted.getVersion()).isEqualTo(1L);
      assertThat(accepted.getAuthor()).isEqualTo("alice@trust-and-safety");
      assertThat(accepted.getChanges()).containsExactly("allowlist.accounts: +acme-batch");
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void aBadPolicyIsRefusedWithItsReasonsAndDetectionGoesOnUnderThePolicyInForce() throws Exception {
    Run run = new Run("refused");
    JobClient job = run.start(null);
    try {
      DetectionPolicy tighter = policy(1, T0);
      tighter.getAllowlist().getAccounts().add("acme-batch");
      run.publish(tighter);
      DetectionPolicy outOfRange = policy(2, T0.plus(Duration.ofMinutes(1)));
      outOfRange.setActions(new dev.distillguard.contract.ActionPolicy(0.5, 0.8, 1.5, 6, 0, 3600L));
      outOfRange.getDenylist().getSubnets().add("203.0.113.9/24");
      run.publish(outOfRange);
      run.publish(policy(1, T0.plus(Duration.ofMinutes(2))));
      PolicyCommand.publishBytes(KAFKA.broker().bootstrapServers(), run.config.kafka().policyTopic(),
          "not a policy".getBytes(StandardCharsets.UTF_8), "garbage");

      List<PolicyStatus> statuses = run.awaitStatuses(4);
      assertThat(statuses).extracting(PolicyStatus::getOutcome).containsExactly(PolicyOutcome.ACCEPTED,
          PolicyOutcome.REJECTED, PolicyOutcome.REJECTED, PolicyOutcome.REJECTED);
      assertThat(statuses.get(1).getReasons()).anyMatch(r -> r.contains("score.block"))
          .anyMatch(r -> r.contains("host bits set"));
      assertThat(statuses.get(2).getReasons()).anyMatch(r -> r.contains("not above the version in force, 1"));
      assertThat(statuses.get(3).getReasons()).anyMatch(r -> r.startsWith("undecodable"));
      assertThat(statuses).allMatch(s -> s.getVersionInForce() == 1L);

      // Policy v1 still rules: the allowlisted customer is reviewed, another extractor is throttled.
      run.extract(List.of("acme-batch", "scraper-7"), List.of("org-acme"), 0, 20);
      run.awaitDecision(d -> d.getEntityId().equals("scraper-7") && d.getAction() != ThrottleAction.REVIEW);
      assertThat(run.decisions()).filteredOn(d -> d.getEntityId().equals("acme-batch"))
          .isNotEmpty().allMatch(d -> d.getAction() == ThrottleAction.REVIEW);
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void thePolicyInForceSurvivesAStopWithSavepointAndResume() throws Exception {
    Run run = new Run("savepoint");
    JobClient first = run.start(null);
    String savepoint;
    try {
      DetectionPolicy allow = policy(1, T0);
      allow.getAllowlist().getOrgs().add("org-acme");
      run.publish(allow);
      run.awaitStatus(s -> s.getOutcome() == PolicyOutcome.ACCEPTED);
      run.extract("acme-batch", "org-acme", 0, 20);
      run.awaitDecision(d -> d.getEntityId().equals("acme-batch"));
      Path dir = Files.createTempDirectory("policy-savepoints");
      savepoint = first.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL).get();
    } catch (Exception e) {
      first.cancel().get();
      throw e;
    }

    JobClient resumed = run.start(savepoint);
    try {
      run.extract(List.of("acme-batch", "scraper-9"), List.of("org-acme"), 20, 40);
      // The control topic is not read again (its offset is in the savepoint): the org allowlist comes
      // from the restored broadcast state.
      run.awaitDecision(d -> d.getEntityId().equals("scraper-9") && d.getAction() != ThrottleAction.REVIEW);
      run.awaitDecision(d -> d.getEntityId().equals("acme-batch")
          && d.getDecidedAt().isAfter(T0.plus(Duration.ofMinutes(25))));
      assertThat(run.decisions()).filteredOn(d -> d.getEntityId().equals("acme-batch"))
          .isNotEmpty().allMatch(d -> d.getAction() == ThrottleAction.REVIEW);
      // And the gate remembers the version in force.
      run.publish(policy(1, T0.plus(Duration.ofHours(1))));
      List<PolicyStatus> statuses = run.awaitStatuses(2);
      assertThat(statuses.get(1).getOutcome()).isEqualTo(PolicyOutcome.REJECTED);
      assertThat(statuses.get(1).getReasons()).anyMatch(r -> r.contains("not above the version in force, 1"));
    } finally {
      resumed.cancel().get();
    }
  }

  private static DetectionPolicy policy(long version, Instant effectiveFrom) {
    return DetectionPolicy.newBuilder()
        .setVersion(version)
        .setAuthor("alice@trust-and-safety")
        .setEffectiveFrom(effectiveFrom)
        .setThresholds(new ArrayList<>())
        .setMinimums(new ArrayList<>())
        .setAllowlist(new Allowlist(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()))
        .setDenylist(new Denylist(new ArrayList<>(), new ArrayList<>()))
        .build();
  }

  /** One live job and its own topics. */
  private static final class Run {
    final LocalKafkaBroker broker = KAFKA.broker();
    final DetectorConfig config;
    int sequence;

    Run(String name) {
      String p = "policy-" + name;
      config = LocalDetectorRun.config(broker, "--input.topic", p + ".gateway", "--throttle.topic", p + ".throttle",
          "--dead-letter.topic", p + ".dead-letters", "--policy.topic", p + ".policy",
          "--policy-status.topic", p + ".policy-status", "--transactional-id.prefix", p, "--group.id", p);
      LocalDetectorRun.createTopics(broker, config, 1);
    }

    JobClient start(String savepoint) throws Exception {
      Configuration conf = DistillGuardJob.jobConfiguration(config);
      conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
          Files.createTempDirectory("policy-checkpoints").toUri().toString());
      if (savepoint != null) {
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
      }
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
      DistillGuardJob.defineLive(env, config);
      return env.executeAsync("policy control " + config.kafka().inputTopic());
    }

    void publish(DetectionPolicy policy) throws Exception {
      PolicyCommand.publish(broker.bootstrapServers(), config.kafka().policyTopic(), policy);
    }

    /**
     * One account sending a reasoning template with its slots filled, once a second, from minute
     * {@code from} to {@code to}: what an extraction script looks like.
     */
    void extract(String account, String org, int from, int to) {
      extract(List.of(account), org == null ? List.of() : List.of(org), from, to);
    }

    /** Several accounts at once, interleaved in time as a gateway would log them; orgs pair with accounts. */
    void extract(List<String> accounts, List<String> orgs, int from, int to) {
      try (KafkaTrafficWriter writer = new KafkaTrafficWriter(broker.bootstrapServers(), config.kafka().inputTopic())) {
        for (int second = from * 60; second < to * 60; second++) {
          for (int a = 0; a < accounts.size(); a++) {
          String account = accounts.get(a);
          String org = a < orgs.size() ? orgs.get(a) : null;
          writer.write(ApiCall.newBuilder()
              .setRequestId(account + "-" + (sequence++))
              .setEventTime(T0.plusSeconds(second))
              .setAccountId(account)
              .setOrgId(org)
              .setApiKeyId(account + "-key")
              .setClientIp("198.18." + (account.hashCode() & 0x7f) + ".10")
              .setAsn(64512)
              .setCountry("NL")
              .setAccountCreatedAt(T0.minus(Duration.ofDays(400)))
              .setPaymentFingerprint(account + "-card")
              .setUserAgent("python-httpx/0.27")
              .setModel("frontier-2")
              .setPromptTokens(820 + second % 7)
              .setCompletionTokens(1900 + second % 11)
              .setPromptSimhash(0x5A5A_1234_9876_C3C3L ^ (1L << (second % 40)))
              .setCapability(Capability.REASONING)
              .setCotElicitation(true)
              .setStatusCode(200)
              .build());
          }
        }
      }
    }

    List<ThrottleDecision> decisions() {
      return LocalDetectorRun.readDecisions(broker, config.kafka().throttleTopic());
    }

    ThrottleDecision awaitDecision(Predicate<ThrottleDecision> wanted) {
      List<ThrottleDecision> seen = await(config.kafka().throttleTopic(), ThrottleDecision.class,
          decisions -> decisions.stream().anyMatch(wanted));
      return seen.stream().filter(wanted).findFirst().orElseThrow();
    }

    PolicyStatus awaitStatus(Predicate<PolicyStatus> wanted) {
      List<PolicyStatus> seen = await(config.kafka().policyStatusTopic(), PolicyStatus.class,
          statuses -> statuses.stream().anyMatch(wanted));
      return seen.stream().filter(wanted).findFirst().orElseThrow();
    }

    List<PolicyStatus> awaitStatuses(int count) {
      return await(config.kafka().policyStatusTopic(), PolicyStatus.class, statuses -> statuses.size() >= count);
    }

    /** The topic's committed records, decoded, once {@code done} holds for them. */
    private <T extends org.apache.avro.specific.SpecificRecord> List<T> await(String topic, Class<T> type,
        Predicate<List<T>> done) {
      List<T> decoded = new ArrayList<>();
      try {
        TopicReader.awaitCommitted(broker.bootstrapServers(), topic, records -> {
          for (int i = decoded.size(); i < records.size(); i++) {
            decoded.add(AvroBinary.decode(records.get(i).value(), type));
          }
          return done.test(decoded);
        }, WAIT);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; read: " + decoded, e);
      }
      return decoded;
    }
  }
}
