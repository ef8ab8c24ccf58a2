package dev.distillguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.DeadLetter;
import dev.distillguard.contract.EntityType;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.ingest.IngestWatermarks;
import dev.distillguard.detector.ingest.Ingested;
import dev.distillguard.detector.testing.Calls;
import dev.distillguard.detector.testing.CollectingSink;
import dev.distillguard.detector.testing.PolicyRecords;
import dev.distillguard.detector.testing.TestTraffic;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DetectorTopologyTest {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  private static final long TEMPLATE = 0x5DEECE66DL * 0x9E3779B97F4A7C15L;

  @Test
  void hydraIsFlaggedThroughTheTemplateAndHeavyCustomerIsNot() throws Exception {
    DetectorConfig config = DetectorConfig.defaults();
    List<Ingested> input = Calls.ingest(new TestTraffic(1)
        .organic(150, 0.3, 60)
        .heavyCustomer("heavy-customer", 250, 60)
        .hydra("hydra-", 300, 200, 20, TEMPLATE, 15, 45)
        .calls(), config);

    CollectingSink<ThrottleDecision> decisions = new CollectingSink<>();
    CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(DistillGuardJob.jobConfiguration(config));
    env.setParallelism(2);
    DataStream<Ingested> source = env.fromData(input, TypeInformation.of(Ingested.class)).uid("test-source")
        .assignTimestampsAndWatermarks(IngestWatermarks.strategy(DetectorConfig.defaults().eventTime()))
        .uid("test-watermarks");
    DetectorTopology.define(source, PolicyRecords.stream(env, 0L), decisions, deadLetters, new CollectingSink<>(), config);
    env.execute("topology test");

    List<ThrottleDecision> all = decisions.results();
    all.forEach(d -> System.out.println(d.getEntityType() + " " + d.getEntityId() + " " + d.getAction() + " "
        + String.format("%.3f", d.getScore()) + " accounts=" + d.getAccounts().size() + " " + d.getReasons()));
    Set<String> throttledAccounts = all.stream()
        .filter(d -> d.getAction() != ThrottleAction.REVIEW)
        .flatMap(d -> d.getAccounts().stream())
        .collect(Collectors.toSet());
    assertThat(throttledAccounts).noneMatch(a -> a.startsWith("user-") || a.equals("heavy-customer"));
    assertThat(throttledAccounts.stream().filter(a -> a.startsWith("hydra-")).count()).isGreaterThan(250);
    assertThat(all).anyMatch(d -> d.getEntityType() == EntityType.CAMPAIGN);
    assertThat(deadLetters.results()).isEmpty();
  }
}
