package dev.distillguard.detector.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.WindowFeatures;
import dev.distillguard.detector.patterns.Scoring;
import dev.distillguard.detector.patterns.ScoringPolicy;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Time and state of the pane-sliced feature operator: what it emits when, and that quiet keys vanish. */
class PaneSlicedFeaturesHarnessTest {

  private static final long MINUTE = 60_000;
  private static final long T0 = 1_000 * MINUTE;

  private final FeatureSettings settings = FeatureSettings.defaults();
  private final ScoringPolicy policy = ScoringPolicy.defaults();

  @Test
  void aBurstIsReportedEverySlideThenTheKeyLeavesNoStateAndNoTimers() throws Exception {
    try (var harness = accountHarness()) {
      // 60 calls a minute for 3 minutes, one template with its slots filled differently each time.
      for (int i = 0; i < 180; i++) {
        long t = T0 + i * 1_000;
        harness.processElement(new StreamRecord<>(call("acct-1", t, i, 0xABCDEF0123L ^ (1L << (i % 40))), t));
      }
      assertThat(harness.numKeyedStateEntries()).isPositive();
      assertThat(harness.numEventTimeTimers()).isPositive();

      harness.processWatermark(T0 + 3 * MINUTE - 1);
      List<WindowFeatures> firstThree = features(harness);
      assertThat(firstThree).extracting(WindowFeatures::getWindowEnd)
          .containsExactly(T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE);
      assertThat(firstThree).extracting(WindowFeatures::getRequests).containsExactly(60, 120, 180);
      // Scored downstream (PolicyScorer); the window carries what the score needs.
      assertThat(Scoring.assess(firstThree.get(2), policy).score()).isGreaterThan(0.7);

      // The window slides past the burst: reported until the burst leaves the window, then silence.
      harness.processWatermark(T0 + 30 * MINUTE);
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
    }
  }

  /**
   * Live (one chained timer per key) and a BATCH backfill (a timer per window end) report the same windows,
   * the last one included: the window that holds only the key's last pane ends where its cleanup timer
   * fires, and is reported there.
   */
  @Test
  void streamingReportsTheWindowsBatchReportsTheLastOneIncluded() throws Exception {
    List<List<WindowFeatures>> reported = new ArrayList<>();
    for (PaneSlicedFeatures.Execution execution :
        List.of(PaneSlicedFeatures.Execution.STREAMING, PaneSlicedFeatures.Execution.BATCH)) {
      try (var harness = accountHarness(execution, null)) {
        for (int i = 0; i < 180; i++) {
          long t = T0 + i * 1_000;
          harness.processElement(new StreamRecord<>(call("acct-1", t, i, 0xABCDEF0123L ^ (1L << (i % 40))), t));
        }
        harness.processWatermark(T0 + 30 * MINUTE);
        reported.add(features(harness));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
      }
    }
    List<WindowFeatures> streaming = reported.get(0);
    // Every window the three minutes are in: ends T0 + 1 to T0 + 12 minutes, the last holding the third only.
    assertThat(streaming).extracting(WindowFeatures::getWindowEnd).hasSize(12)
        .endsWith(T0 + 12 * MINUTE);
    assertThat(streaming).extracting(WindowFeatures::getRequests).endsWith(120, 60);
    assertThat(streaming).isEqualTo(reported.get(1));
  }

  @Test
  void aLightKeyIsNeverReportedAndLeavesNothingBehind() throws Exception {
    try (var harness = accountHarness()) {
      harness.processElement(new StreamRecord<>(call("acct-light", T0 + 5, 1, 42L), T0 + 5));
      harness.processWatermark(T0 + 11 * MINUTE);
      assertThat(features(harness)).isEmpty();
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void aCallForAWindowAlreadyGoneIsDroppedNotStored() throws Exception {
    try (var harness = accountHarness()) {
      harness.processWatermark(T0 + 20 * MINUTE);
      harness.processElement(new StreamRecord<>(call("acct-late", T0, 1, 42L), T0));
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void aCallLateForItsPaneButInsideLaterWindowsCountsForThoseWindows() throws Exception {
    try (var harness = accountHarness()) {
      for (int i = 0; i < 40; i++) {
        harness.processElement(new StreamRecord<>(call("acct-2", T0 + i * 100, i, 7L), T0 + i * 100));
      }
      harness.processWatermark(T0 + 2 * MINUTE - 1);
      int before = features(harness).size();
      // Late for the first pane, which is still inside the next eight windows.
      harness.processElement(new StreamRecord<>(call("acct-2", T0 + 30_000, 99, 7L), T0 + 30_000));
      harness.processWatermark(T0 + 3 * MINUTE - 1);
      List<WindowFeatures> all = features(harness);
      assertThat(all.get(all.size() - 1).getRequests()).isEqualTo(41);
      assertThat(all.size()).isEqualTo(before + 1);
    }
  }

  @Test
  void templateKeysAreReportedOnlyForRealTemplatesSharedByAccounts() throws Exception {
    try (var harness = templateHarness()) {
      long template = 0x0F0F_1234_5678_9ABCL;
      // Two subtasks' batches for one band key: 30 accounts between them.
      List<List<CallEvent>> batches = List.of(new ArrayList<>(), new ArrayList<>());
      for (int i = 0; i < 30; i++) {
        CallEvent c = call("hydra-" + i, T0 + i * 1_000, i, template ^ (1L << (20 + i % 30)));
        c.setSubnet("100.64." + i + ".0/24");
        batches.get(i % 2).add(c);
      }
      for (List<CallEvent> batch : batches) {
        harness.processElement(new StreamRecord<>(new TemplateCalls(7L, CallEvents.batch(batch)), T0));
      }
      harness.processWatermark(T0 + MINUTE - 1);
      List<WindowFeatures> out = features(harness);
      assertThat(out).hasSize(1);
      assertThat(out.get(0).getRequests()).isEqualTo(30);
      assertThat(out.get(0).getDistinctAccounts()).isEqualTo(30);
      assertThat(out.get(0).getDistinctSubnets()).isEqualTo(30);
      assertThat(Scoring.assess(out.get(0), policy).score()).isGreaterThan(0.7);
      harness.processWatermark(T0 + 11 * MINUTE);
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
    }
  }

  /**
   * Batches that find calls waiting longer than the fold delay, by the wall clock, fold them into their pane
   * before its window: the pane is in state and nothing waits; and the windows are those of calls folded
   * only at the window end.
   */
  @Test
  void callsWaitingLongEnoughAreFoldedBeforeTheWindowAndChangeNoWindow() throws Exception {
    long template = 0x0F0F_1234_5678_9ABCL;
    List<List<CallEvent>> batches = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      List<CallEvent> batch = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        int n = 10 * b + i;
        CallEvent c = call("hydra-" + n, T0 + n * 1_000, n, template ^ (1L << (20 + n % 30)));
        c.setSubnet("100.64." + n + ".0/24");
        batch.add(c);
      }
      batches.add(batch);
    }
    List<WindowFeatures> foldedEarly;
    try (var harness = templateHarness()) {
      harness.setProcessingTime(0);
      harness.processElement(new StreamRecord<>(new TemplateCalls(7L, CallEvents.batch(batches.get(0))), T0));
      harness.setProcessingTime(10_000);
      harness.processElement(new StreamRecord<>(new TemplateCalls(7L, CallEvents.batch(batches.get(1))), T0));
      // Twenty calls folded and frozen; nothing waits until the next batch.
      AbstractStreamOperator<?> operator = (AbstractStreamOperator<?>) harness.getOperator();
      operator.setCurrentKey(7L);
      StoredPane stored = operator.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
          Descriptors.keyPanes()).get(T0);
      assertThat(stored).isInstanceOf(FrozenPane.class);
      assertThat(((FrozenPane) stored).count()).isEqualTo(20);
      assertThat(operator.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
          Descriptors.pendingTemplateCalls()).get()).isNullOrEmpty();
      harness.setProcessingTime(11_000);
      harness.processElement(new StreamRecord<>(new TemplateCalls(7L, CallEvents.batch(batches.get(2))), T0));
      harness.processWatermark(T0 + MINUTE - 1);
      foldedEarly = features(harness);
    }
    List<WindowFeatures> foldedAtTheEnd;
    try (var harness = templateHarness()) {
      for (List<CallEvent> batch : batches) {
        harness.processElement(new StreamRecord<>(new TemplateCalls(7L, CallEvents.batch(batch)), T0));
      }
      harness.processWatermark(T0 + MINUTE - 1);
      foldedAtTheEnd = features(harness);
    }
    assertThat(foldedEarly).hasSize(1);
    assertThat(foldedEarly.get(0).getDistinctAccounts()).isEqualTo(30);
    assertThat(foldedEarly).isEqualTo(foldedAtTheEnd);
  }

  @Test
  void aBatchForAWindowAlreadyGoneIsDroppedNotStored() throws Exception {
    try (var harness = templateHarness()) {
      harness.processWatermark(T0 + 10 * MINUTE);
      CallBatch gone = CallEvents.batch(List.of(call("late", T0 + 1_000, 1, 0x1234L)));
      harness.processElement(new StreamRecord<>(new TemplateCalls(7L, gone), T0));
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
      assertThat(features(harness)).isEmpty();
    }
  }

  @Test
  void aSnapshotAndRestoreMidBurstChangesNothing() throws Exception {
    List<WindowFeatures> uninterrupted;
    try (var harness = accountHarness()) {
      burst(harness, 0, 300);
      harness.processWatermark(T0 + 30 * MINUTE);
      uninterrupted = features(harness);
    }

    List<WindowFeatures> resumed;
    OperatorSubtaskState snapshot;
    List<WindowFeatures> beforeSnapshot;
    try (var harness = accountHarness()) {
      burst(harness, 0, 150);
      snapshot = harness.snapshot(1L, T0 + 3 * MINUTE);
      beforeSnapshot = features(harness);
    }
    try (var harness = accountHarness(snapshot)) {
      burst(harness, 150, 300);
      harness.processWatermark(T0 + 30 * MINUTE);
      resumed = new ArrayList<>(beforeSnapshot);
      resumed.addAll(features(harness));
      assertThat(harness.numKeyedStateEntries()).isZero();
    }
    assertThat(uninterrupted).isNotEmpty();
    assertThat(resumed).isEqualTo(uninterrupted);
  }

  /** Calls {@code from} to {@code to} of a 60-a-minute burst, the watermark following a second behind. */
  private static void burst(KeyedOneInputStreamOperatorTestHarness<String, CallEvent, WindowFeatures> harness,
      int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      long t = T0 + i * 1_000L;
      harness.processElement(new StreamRecord<>(call("acct-snap", t, i, 0x1234_5678L ^ (1L << (i % 40))), t));
      harness.processWatermark(t - 1_000);
    }
  }

  private KeyedOneInputStreamOperatorTestHarness<Long, TemplateCalls, WindowFeatures> templateHarness() throws Exception {
    var operator = new KeyedProcessOperator<>(
        PaneSlicedFeatures.ofBatches(settings, policy, PaneSlicedFeatures.Execution.STREAMING));
    var harness = new KeyedOneInputStreamOperatorTestHarness<>(operator, TemplateCalls::templateKey, Types.LONG);
    harness.open();
    return harness;
  }

  private KeyedOneInputStreamOperatorTestHarness<String, CallEvent, WindowFeatures> accountHarness() throws Exception {
    return accountHarness(null);
  }

  private KeyedOneInputStreamOperatorTestHarness<String, CallEvent, WindowFeatures> accountHarness(
      OperatorSubtaskState restoreFrom) throws Exception {
    return accountHarness(PaneSlicedFeatures.Execution.STREAMING, restoreFrom);
  }

  private KeyedOneInputStreamOperatorTestHarness<String, CallEvent, WindowFeatures> accountHarness(
      PaneSlicedFeatures.Execution execution, OperatorSubtaskState restoreFrom) throws Exception {
    var operator = new KeyedProcessOperator<>(
        PaneSlicedFeatures.<String>ofCalls(KeySpace.ACCOUNT, settings, policy, execution));
    var harness = new KeyedOneInputStreamOperatorTestHarness<>(operator, CallEvent::getAccountId, Types.STRING);
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    return harness;
  }

  private static List<WindowFeatures> features(KeyedOneInputStreamOperatorTestHarness<?, ?, WindowFeatures> h) {
    return h.extractOutputValues();
  }

  static CallEvent call(String account, long time, long rank, long simhash) {
    return new CallEvent(time, rank * 0x9E3779B97F4A7C15L, account, null, "203.0.113.0/24", 64500, "NL", null,
        86_400_000L, 150, 500, simhash, 1, true);
  }
}
