package dev.distillguard.detector.decisions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.EntityType;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.model.Evidence;
import dev.distillguard.detector.model.KeySpace;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.config.DetectorConfig;
import org.junit.jupiter.api.Test;

class DecisionLedgerHarnessTest {

  private static final long MINUTE = 60_000;
  private static final long T0 = 5_000 * MINUTE;


  @Test
  void evidenceBecomesADecisionThatWidensAndThenExpiresLeavingNoState() throws Exception {
    try (var harness = harness()) {
      harness.processElement1(record(evidence("campaign", 0.8, List.of("a1", "a2"), T0 + 10 * MINUTE)));
      harness.processWatermark1(new Watermark(T0 + 10 * MINUTE - 1));
      List<ThrottleDecision> out = harness.extractOutputValues();
      assertThat(out).hasSize(1);
      ThrottleDecision first = out.get(0);
      assertThat(first.getEntityType()).isEqualTo(EntityType.CAMPAIGN);
      assertThat(first.getEntityId()).isEqualTo("campaign-00000000c0ffee00");
      assertThat(first.getAction()).isEqualTo(ThrottleAction.THROTTLE);
      assertThat(first.getMaxRequestsPerMinute()).isEqualTo(6);
      assertThat(first.getAccounts()).containsExactly("a1", "a2");
      assertThat(first.getExpiresAt().toEpochMilli()).isEqualTo(T0 + 70 * MINUTE);

      // New accounts and a stronger score: the decision widens and escalates, keeping everyone named.
      harness.processElement1(record(evidence("campaign", 0.95, List.of("a3"), T0 + 12 * MINUTE)));
      harness.processWatermark1(new Watermark(T0 + 12 * MINUTE - 1));
      ThrottleDecision second = harness.extractOutputValues().get(1);
      assertThat(second.getAction()).isEqualTo(ThrottleAction.BLOCK);
      assertThat(second.getMaxRequestsPerMinute()).isZero();
      assertThat(second.getAccounts()).containsExactly("a1", "a2", "a3");
      assertThat(second.getWindowStart()).isEqualTo(first.getWindowStart());
      assertThat(second.getDecisionId()).isNotEqualTo(first.getDecisionId());

      // The same evidence again changes nothing: no new record.
      harness.processElement1(record(evidence("campaign", 0.95, List.of("a3"), T0 + 13 * MINUTE)));
      harness.processWatermark1(new Watermark(T0 + 13 * MINUTE - 1));
      assertThat(harness.extractOutputValues()).hasSize(2);

      harness.processWatermark1(new Watermark(T0 + 3 * 60 * MINUTE));
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void evidenceArrivingBehindTheWatermarkIsAppliedOnArrivalNotAtTheNextWatermark() throws Exception {
    try (var harness = harness()) {
      harness.processElement1(record(evidence("campaign", 0.8, List.of("a1"), T0 + 10 * MINUTE)));
      harness.processWatermark1(new Watermark(T0 + 20 * MINUTE));
      assertThat(harness.extractOutputValues()).hasSize(1);

      // Evidence from an input that was idle while the others carried the watermark on: its windows
      // ended long ago, and the gateway has gone quiet, so no later watermark is coming.
      Evidence other = evidence("campaign", 0.95, List.of("b1", "b2"), T0 + 15 * MINUTE);
      other.setTemplateCentroid(0x0F0F0F0F_0F0F0F0FL);
      harness.processElement1(record(other));
      List<ThrottleDecision> out = harness.extractOutputValues();
      assertThat(out).hasSize(2);
      assertThat(out.get(1).getAction()).isEqualTo(ThrottleAction.BLOCK);
      assertThat(out.get(1).getAccounts()).containsExactly("b1", "b2");
      assertThat(out.get(1).getDecidedAt().toEpochMilli()).isEqualTo(T0 + 15 * MINUTE);
      // Nothing left waiting: only the two decisions' expiry timers.
      assertThat(harness.numEventTimeTimers()).isEqualTo(2);

      harness.processWatermark1(new Watermark(T0 + 3 * 60 * MINUTE));
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void evidenceBelowReviewIsIgnoredAndCeilingCapsTheAction() throws Exception {
    try (var harness = harness()) {
      harness.processElement1(record(evidence("weak", 0.3, List.of("x"), T0 + MINUTE)));
      Evidence subnet = evidence("subnet", 0.99, List.of("y", "z"), T0 + MINUTE);
      subnet.setKeySpace(KeySpace.SUBNET);
      subnet.setEntityId("203.0.113.0/24");
      subnet.setMaxAction(ThrottleAction.REVIEW.name());
      harness.processElement1(record(subnet));
      harness.processWatermark1(new Watermark(T0 + 2 * MINUTE));
      List<ThrottleDecision> out = harness.extractOutputValues();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).getEntityType()).isEqualTo(EntityType.SUBNET);
      assertThat(out.get(0).getAction()).isEqualTo(ThrottleAction.REVIEW);
      assertThat(out.get(0).getMaxRequestsPerMinute()).isNull();
    }
  }

  @Test
  void evidenceFromDifferentBandKeysOfOneTemplateIsOneCampaign() throws Exception {
    try (var harness = harness()) {
      Evidence band0 = evidence("coordinated-template-campaign", 0.8, List.of("a1"), T0 + MINUTE);
      Evidence band2 = evidence("coordinated-template-campaign", 0.8, List.of("a2"), T0 + MINUTE);
      band2.setEntityId("b2:1234");
      band2.setTemplateCentroid(0xC0FFEE00L ^ 0b101L); // two bits off: the same template
      Evidence other = evidence("coordinated-template-campaign", 0.8, List.of("z9"), T0 + MINUTE);
      other.setEntityId("b0:9999");
      other.setTemplateCentroid(~0xC0FFEE00L); // unrelated template
      harness.processElement1(record(band0));
      harness.processElement1(record(band2));
      harness.processElement1(record(other));
      harness.processWatermark1(new Watermark(T0 + 2 * MINUTE));
      List<ThrottleDecision> out = harness.extractOutputValues();
      ThrottleDecision last = out.stream().filter(d -> d.getEntityId().equals("campaign-00000000c0ffee00"))
          .reduce((a, b) -> b).orElseThrow();
      assertThat(last.getAccounts()).containsExactly("a1", "a2");
      assertThat(out).extracting(ThrottleDecision::getEntityId).containsOnly("campaign-00000000c0ffee00",
          String.format("campaign-%016x", ~0xC0FFEE00L));
    }
  }

  @Test
  void evidenceArrivingInAnyOrderGivesTheSameDecisions() throws Exception {
    Evidence a = evidence("coordinated-template-campaign", 0.8, List.of("a1"), T0 + MINUTE);
    Evidence b = evidence("replacement", 0.9, List.of("a2"), T0 + MINUTE);
    List<ThrottleDecision> ab;
    List<ThrottleDecision> ba;
    try (var harness = harness()) {
      harness.processElement1(record(a));
      harness.processElement1(record(b));
      harness.processWatermark1(new Watermark(T0 + 2 * MINUTE));
      ab = harness.extractOutputValues();
    }
    try (var harness = harness()) {
      harness.processElement1(record(b));
      harness.processElement1(record(a));
      harness.processWatermark1(new Watermark(T0 + 2 * MINUTE));
      ba = harness.extractOutputValues();
    }
    assertThat(ab).isNotEmpty().isEqualTo(ba);
  }

  private KeyedTwoInputStreamOperatorTestHarness<String, Evidence, DetectionPolicy, ThrottleDecision> harness()
      throws Exception {
    var operator = new CoBroadcastWithKeyedOperator<>(
        new DecisionLedger(DetectorConfig.defaults(), 1000, 12, "test"), List.of(Descriptors.POLICIES));
    // Policies are broadcast, not keyed: any constant key will do for the harness.
    var harness = new KeyedTwoInputStreamOperatorTestHarness<String, Evidence, DetectionPolicy, ThrottleDecision>(
        operator, DecisionLedger::ledgerKey, policy -> "", Types.STRING);
    harness.open();
    // The control input is idle, as its source declares itself in the job.
    harness.processWatermarkStatus2(WatermarkStatus.IDLE);
    return harness;
  }

  private static StreamRecord<Evidence> record(Evidence e) {
    return new StreamRecord<>(e, e.getWindowEnd() - 1);
  }

  private static Evidence evidence(String pattern, double score, List<String> accounts, long windowEnd) {
    Evidence e = new Evidence();
    e.setKeySpace(KeySpace.TEMPLATE);
    e.setEntityId("b1:beef");
    e.setPattern(pattern);
    e.setScore(score);
    e.setReasons(List.of("pattern=" + pattern));
    e.setAccounts(accounts);
    e.setSubnets(List.of("100.64.1.0/24"));
    e.setWindowStart(windowEnd - 10 * MINUTE);
    e.setWindowEnd(windowEnd);
    e.setMaxAction(ThrottleAction.BLOCK.name());
    e.setTemplateCentroid(0xC0FFEE00L);
    return e;
  }
}
