package dev.distillguard.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.DeadLetter;
import dev.distillguard.contract.EntityType;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.simulate.CampaignSpec;
import dev.distillguard.simulate.KafkaTrafficWriter;
import dev.distillguard.simulate.LabelledCall;
import dev.distillguard.simulate.OrganicTraffic;
import dev.distillguard.simulate.Scenario;
import dev.distillguard.testkit.LocalKafkaBroker;
import dev.distillguard.testkit.RealKafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The detector end to end on a real Kafka broker: simulator traffic into the gateway topic, the job on a
 * local Flink MiniCluster with its exactly-once sinks, decisions read back {@code read_committed}.
 */
class DetectorOnKafkaTest {

  @RegisterExtension
  static final RealKafkaExtension KAFKA = new RealKafkaExtension();

  private static final int HYDRA_SUBNETS = 16;

  private static Scenario traffic;
  private static LocalDetectorRun.Result result;
  private static Set<String> hydraAccounts;
  private static Set<String> benignAccounts;
  private static Set<String> heavyAccounts;

  @BeforeAll
  static void runTheDetector() throws Exception {
    // Light organic users, one heavy paying customer with diverse prompts, and a hydra of 500 accounts
    // each sending well under one request a minute from a pool of rotating proxy subnets.
    traffic = Scenario.builder("kafka-it").seed(11).span(Duration.ofMinutes(90))
        .populations(OrganicTraffic.background(0.25))
        .population(OrganicTraffic.heavyCustomers(1))
        .population(CampaignSpec.builder("kafka-it:hydra").accounts(500).proxyPool(HYDRA_SUBNETS, 4, 3)
            .requestsPerHourPerAccount(2).jitter(0.1).startAfter(Duration.ofMinutes(20)).build().population())
        .build();
    hydraAccounts = new HashSet<>();
    benignAccounts = new HashSet<>();
    heavyAccounts = new HashSet<>();
    for (LabelledCall call : traffic) {
      String account = call.call().getAccountId();
      if (call.label().campaign()) {
        hydraAccounts.add(account);
      } else {
        benignAccounts.add(account);
        if (call.label().population().contains("heavy")) {
          heavyAccounts.add(account);
        }
      }
    }
    assertThat(heavyAccounts).isNotEmpty();

    LocalKafkaBroker broker = KAFKA.broker();
    DetectorConfig config = LocalDetectorRun.config(broker, "--input.topic", "it.gateway", "--throttle.topic",
        "it.throttle", "--dead-letter.topic", "it.dead-letters", "--transactional-id.prefix", "it-live");
    LocalDetectorRun.createTopics(broker, config, 3);
    LocalDetectorRun.write(broker, config, traffic);
    writeMalformed(broker, config.kafka().inputTopic(), traffic.iterator().next().call());
    result = LocalDetectorRun.run(broker, config, 2);
  }

  @Test
  void theHydraIsThrottledThroughItsTemplate() {
    Set<String> enforced = accountsIn(result.decisions(), true);
    Set<String> hydraEnforced = new HashSet<>(enforced);
    hydraEnforced.retainAll(hydraAccounts);
    assertThat((double) hydraEnforced.size() / hydraAccounts.size()).isGreaterThan(0.9);
    assertThat(result.decisions()).anyMatch(d -> d.getEntityType() == EntityType.CAMPAIGN
        && d.getAction() != ThrottleAction.REVIEW
        && d.getReasons().contains("pattern=coordinated-template-campaign"));
  }

  @Test
  void theHydrasSubnetsAreFlagged() {
    Set<String> hydraSubnets = result.decisions().stream()
        .filter(d -> d.getEntityType() == EntityType.CAMPAIGN)
        .flatMap(d -> d.getSubnets().stream())
        .collect(Collectors.toSet());
    assertThat(hydraSubnets).hasSizeGreaterThanOrEqualTo(HYDRA_SUBNETS / 2);
    // Proxy subnets carrying many hydra accounts and little else are put up for review by the subnet key.
    List<ThrottleDecision> subnetDecisions = result.decisions().stream()
        .filter(d -> d.getEntityType() == EntityType.SUBNET).toList();
    assertThat(subnetDecisions).isNotEmpty();
    assertThat(subnetDecisions).allMatch(d -> d.getAction() == ThrottleAction.REVIEW);
    assertThat(subnetDecisions).allMatch(d -> hydraSubnets.contains(d.getEntityId()));
  }

  @Test
  void noOrganicAccountIsThrottledNorTheHeavyCustomer() {
    Set<String> enforced = accountsIn(result.decisions(), true);
    assertThat(enforced).doesNotContainAnyElementsOf(benignAccounts);
    assertThat(accountsIn(result.decisions(), false)).doesNotContainAnyElementsOf(heavyAccounts);
  }

  @Test
  void malformedRecordsAreDeadLetteredWithTheirReason() {
    assertThat(result.deadLetters()).extracting(DeadLetter::getReason)
        .containsExactlyInAnyOrder("UNDECODABLE", "INVALID_CLIENT_IP", "NEGATIVE_TOKENS");
    assertThat(result.deadLetters()).allMatch(d -> d.getSourceTopic().equals("it.gateway")
        && d.getOriginalValue() != null && d.getSourceOffset() >= 0);
  }

  @Test
  void decisionsAreWellFormedForTheRateLimiter() {
    assertThat(result.decisions()).isNotEmpty().allSatisfy(d -> {
      assertThat(d.getDecisionId()).hasSize(32);
      assertThat(d.getScore()).isBetween(0.0, 1.0);
      assertThat(d.getExpiresAt()).isAfter(d.getDecidedAt());
      assertThat(d.getWindowStart()).isBefore(d.getWindowEnd());
      assertThat(d.getMaxRequestsPerMinute() == null).isEqualTo(d.getAction() == ThrottleAction.REVIEW);
      assertThat(d.getReasons()).anyMatch(r -> r.startsWith("pattern="));
    });
    assertThat(result.decisions()).extracting(ThrottleDecision::getDecisionId).doesNotHaveDuplicates();
  }

  private static Set<String> accountsIn(List<ThrottleDecision> decisions, boolean enforcingOnly) {
    return decisions.stream()
        .filter(d -> !enforcingOnly || d.getAction() != ThrottleAction.REVIEW)
        .flatMap(d -> d.getAccounts().stream())
        .collect(Collectors.toSet());
  }

  private static void writeMalformed(LocalKafkaBroker broker, String topic, ApiCall sample) {
    ApiCall badIp = ApiCall.newBuilder(sample).setRequestId("it-bad-ip").setClientIp("10.0.0.256").build();
    ApiCall negative = ApiCall.newBuilder(sample).setRequestId("it-negative").setCompletionTokens(-1).build();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        KafkaTrafficWriter.producerProperties(broker.bootstrapServers()), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      long t = sample.getEventTime().toEpochMilli();
      producer.send(new ProducerRecord<>(topic, null, t, null, new byte[] {0x02, (byte) 0xff, 0x7f}));
      producer.send(new ProducerRecord<>(topic, null, t, null, AvroBinary.encode(badIp)));
      producer.send(new ProducerRecord<>(topic, null, t, "k".getBytes(StandardCharsets.UTF_8),
          AvroBinary.encode(negative)));
    }
  }
}
