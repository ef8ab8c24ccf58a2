package dev.distillguard.detector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.CallEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The duplicate filter's decisions, its state and its timers. */
class DuplicateFilterHarnessTest {

  private static final long MINUTE = 60_000;
  private static final long T0 = 1_000_000 * MINUTE;
  private static final Duration HORIZON = Duration.ofMinutes(2);
  private static final Duration SLIDE = Duration.ofMinutes(1);
  /** Horizon + slide + no allowed lateness, as the topology configures it by default. */
  private static final Duration RETENTION = Duration.ofMinutes(3);

  @Test
  void aRedeliveredCallGoesOnOnceAndTheCopyIsCountedAside() throws Exception {
    try (var harness = harness(false)) {
      process(harness, call("acct-1", "req-1", T0));
      process(harness, call("acct-1", "req-1", T0));
      process(harness, call("acct-1", "req-2", T0 + 5));

      assertThat(forwarded(harness)).extracting(CallEvent::getRank)
          .containsExactly(rank("req-1"), rank("req-2"));
      assertThat(duplicates(harness)).extracting(CallEvent::getRank).containsExactly(rank("req-1"));
    }
  }

  @Test
  void theSameRequestIdFromAnotherAccountIsAnotherCall() throws Exception {
    try (var harness = harness(false)) {
      process(harness, call("acct-1", "req-1", T0));
      process(harness, call("acct-2", "req-1", T0));
      assertThat(forwarded(harness)).hasSize(2);
      assertThat(duplicates(harness)).isEmpty();
    }
  }

  @Test
  void copiesWithinTheHorizonCountOnceCopiesBeyondItAreNewCalls() throws Exception {
    try (var harness = harness(false)) {
      process(harness, call("acct-1", "req-1", T0));
      process(harness, call("acct-1", "req-1", T0 + HORIZON.toMillis()));       // re-stamped retry: same call
      process(harness, call("acct-1", "req-1", T0 - HORIZON.toMillis()));       // earlier, still within
      process(harness, call("acct-1", "req-1", T0 + HORIZON.toMillis() + 1));   // beyond: a reused id
      assertThat(forwarded(harness)).extracting(CallEvent::getEventTime)
          .containsExactly(T0, T0 + HORIZON.toMillis() + 1);
      assertThat(duplicates(harness)).hasSize(2);
    }
  }

  /**
   * A copy the ingest router lets through trails the watermark by less than a pane (plus the allowed
   * lateness, here none), so the first copy's id is still kept when it arrives.
   */
  @Test
  void aCopyThatIsNotLateAlwaysFindsTheFirst() throws Exception {
    try (var harness = harness(false)) {
      long t = T0 + 59_999; // the last millisecond of its pane: the latest a copy can come and not be late
      process(harness, call("acct-1", "req-1", t));
      harness.processWatermark(t + HORIZON.toMillis() + SLIDE.toMillis() - 1);
      process(harness, call("acct-1", "req-1", t + HORIZON.toMillis()));
      assertThat(duplicates(harness)).hasSize(1);
    }
  }

  @Test
  void aQuietAccountLeavesNoStateAndNoTimers() throws Exception {
    try (var harness = harness(false)) {
      process(harness, call("acct-1", "req-1", T0));
      process(harness, call("acct-1", "req-2", T0 + 30_000));
      process(harness, call("acct-2", "req-3", T0 + 50_000));
      assertThat(harness.numKeyedStateEntries()).isPositive();
      assertThat(harness.numEventTimeTimers()).isPositive();

      harness.processWatermark(T0 + RETENTION.toMillis() + SLIDE.toMillis());
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
    }
  }

  @Test
  void idsLeaveOneByOneAsTheirRetentionEnds() throws Exception {
    try (var harness = harness(false)) {
      process(harness, call("acct-1", "req-old", T0));
      process(harness, call("acct-1", "req-new", T0 + 2 * MINUTE));
      harness.processWatermark(T0 + RETENTION.toMillis() + SLIDE.toMillis());

      assertThat(ids(harness, "acct-1")).containsExactly(rank("req-new"));
      assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    }
  }

  /**
   * A flooding account: 60,000 calls in ten minutes. Each goes through with one lookup and one write,
   * the account holds one timer per slide its ids span (retention plus the watermark's 5 s lag, so at
   * most 5 here), and nothing once it stops.
   */
  @Test
  void aFloodingAccountIsFilteredWithBoundedTimersAndLeavesNothing() throws Exception {
    try (var harness = harness(false)) {
      int maxTimers = 0;
      for (int i = 0; i < 60_000; i++) {
        long t = T0 + i * 10L;
        process(harness, call("acct-flood", "req-" + i, t));
        if (i % 6_000 == 5_999) {
          harness.processWatermark(t - 5_000);
          maxTimers = Math.max(maxTimers, harness.numEventTimeTimers());
        }
      }
      process(harness, call("acct-flood", "req-59999", T0 + 599_990));

      assertThat(forwarded(harness)).hasSize(60_000);
      assertThat(duplicates(harness)).hasSize(1);
      assertThat(maxTimers).isBetween(1, (int) (RETENTION.toMillis() / SLIDE.toMillis()) + 2);
      harness.processWatermark(T0 + 20 * MINUTE);
      assertThat(harness.numKeyedStateEntries()).isZero();
      assertThat(harness.numEventTimeTimers()).isZero();
    }
  }

  /** Batch input comes sorted by time and its timers fire only at the end: ids are pruned as calls go by. */
  @Test
  void sortedInputPrunesIdsBeyondTheHorizonAsItGoes() throws Exception {
    try (var harness = harness(true)) {
      for (int i = 0; i < 30 * 60; i++) { // one call a second for 30 minutes
        process(harness, call("acct-1", "req-" + i, T0 + i * 1_000L));
      }
      // The horizon (120 s) plus at most one slide of calls not yet pruned.
      assertThat(ids(harness, "acct-1").size()).isBetween(120, 120 + 60 + 1);
      process(harness, call("acct-1", "req-1799", T0 + 1799 * 1_000L));
      assertThat(duplicates(harness)).hasSize(1);
      assertThat(forwarded(harness)).hasSize(30 * 60);
    }
  }

  @Test
  void retentionShorterThanTheHorizonIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new DuplicateFilter(HORIZON, Duration.ofMinutes(1), SLIDE, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("horizon");
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, CallEvent, CallEvent> harness(boolean sorted)
      throws Exception {
    var harness = new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new DuplicateFilter(HORIZON, RETENTION, SLIDE, sorted)),
        CallEvent::getAccountId, Types.STRING);
    harness.open();
    return harness;
  }

  private static void process(KeyedOneInputStreamOperatorTestHarness<String, CallEvent, CallEvent> harness,
      CallEvent call) throws Exception {
    harness.processElement(new StreamRecord<>(call, call.getEventTime()));
  }

  private static List<CallEvent> forwarded(KeyedOneInputStreamOperatorTestHarness<String, CallEvent, CallEvent> h) {
    return h.extractOutputValues();
  }

  private static List<CallEvent> duplicates(KeyedOneInputStreamOperatorTestHarness<String, CallEvent, CallEvent> h) {
    List<CallEvent> out = new ArrayList<>();
    var side = h.getSideOutput(Descriptors.DUPLICATE_CALLS);
    if (side != null) {
      side.forEach(r -> out.add(r.getValue()));
    }
    return out;
  }

  private static List<Long> ids(KeyedOneInputStreamOperatorTestHarness<String, CallEvent, CallEvent> harness,
      String account) throws Exception {
    harness.getOperator().setCurrentKey(account);
    MapState<Long, Long> state = harness.getOperator().getKeyedStateBackend().getPartitionedState(
        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, Descriptors.recentRequestIds());
    List<Long> ids = new ArrayList<>();
    for (Long id : state.keys()) {
      ids.add(id);
    }
    return ids;
  }

  static long rank(String requestId) {
    return CallValidator.requestRank(requestId);
  }

  static CallEvent call(String account, String requestId, long time) {
    CallEvent e = new CallEvent();
    e.setEventTime(time);
    e.setRank(rank(requestId));
    e.setAccountId(account);
    e.setSubnet("203.0.113.0/24");
    e.setPromptTokens(100);
    e.setCompletionTokens(400);
    e.setSimhash(0x1234_5678_9ABC_DEF0L);
    e.setCapability(0);
    e.setCot(false);
    return e;
  }
}
