package dev.distillguard.detector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.CallEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
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
   * A flooding account: 60,000 calls in ten minutes, 6,000 a granule. Each granule's bucket fills and its
   * further ids are kept one entry each; every copy is still caught, the account holds one timer per slide
   * its ids span (retention plus the watermark's 5 s lag, so at most 5 here), and nothing once it stops.
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
      process(harness, call("acct-flood", "req-54000", T0 + 540_000)); // the first of its granule: in the bucket
      process(harness, call("acct-flood", "req-54300", T0 + 543_000)); // beyond the bucket's capacity

      assertThat(forwarded(harness)).hasSize(60_000);
      assertThat(duplicates(harness)).extracting(CallEvent::getRank)
          .containsExactly(rank("req-59999"), rank("req-54000"), rank("req-54300"));
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

  /** Ids in buckets and ids spilled beyond them are both in the snapshot: copies are caught after a restore. */
  @Test
  void bucketsAndSpilledIdsSurviveASnapshotAndRestore() throws Exception {
    int calls = RequestIdBucket.CAPACITY + 10;
    OperatorSubtaskState snapshot;
    try (var harness = harness(false)) {
      for (int i = 0; i < calls; i++) {
        process(harness, call("acct-1", "req-" + i, T0 + i));
      }
      process(harness, call("acct-2", "req-0", T0 + 2 * MINUTE));
      snapshot = harness.snapshot(1, T0 + 3 * MINUTE);
    }
    try (var restored = harness(false, snapshot)) {
      process(restored, call("acct-1", "req-0", T0 + 1));                           // was in the bucket
      process(restored, call("acct-1", "req-" + (calls - 1), T0 + calls));           // was spilled
      process(restored, call("acct-2", "req-0", T0 + 2 * MINUTE + HORIZON.toMillis()));
      process(restored, call("acct-1", "req-new", T0 + 2));
      assertThat(duplicates(restored)).hasSize(3);
      assertThat(forwarded(restored)).extracting(CallEvent::getRank).containsExactly(rank("req-new"));
      assertThat(ids(restored, "acct-1")).hasSize(calls + 1);

      restored.processWatermark(T0 + 10 * MINUTE);
      assertThat(restored.numKeyedStateEntries()).isZero();
      assertThat(restored.numEventTimeTimers()).isZero();
    }
  }

  /**
   * The copy and its first are in different granules, the first at either edge of the horizon: the
   * granules a call looks in are all those the horizon reaches.
   */
  @Test
  void copiesAcrossGranulesAreCaughtToTheHorizonsEdge() throws Exception {
    try (var harness = harness(false)) {
      long t = T0 + 30_000;
      process(harness, call("acct-1", "req-a", t - HORIZON.toMillis()));
      process(harness, call("acct-1", "req-b", t + HORIZON.toMillis()));
      process(harness, call("acct-1", "req-c", t - HORIZON.toMillis() - 1));
      process(harness, call("acct-1", "req-a", t));
      process(harness, call("acct-1", "req-b", t));
      process(harness, call("acct-1", "req-c", t));
      assertThat(duplicates(harness)).extracting(CallEvent::getRank).containsExactly(rank("req-a"), rank("req-b"));
      assertThat(forwarded(harness)).hasSize(4);
    }
  }

  /**
   * A savepoint of the layout before the buckets (one entry per id, with a timer per id) restores into the
   * spilled ids: the job starts, new calls are filtered, and the old entries and timers leave nothing behind.
   */
  @Test
  void aSavepointOfTheEntryPerIdLayoutRestoresAndLeavesNothingOnceQuiet() throws Exception {
    OperatorSubtaskState snapshot;
    try (var old = new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new EntryPerIdLayout()), CallEvent::getAccountId, Types.STRING)) {
      old.open();
      process(old, call("acct-1", "req-old", T0));
      process(old, call("acct-2", "req-old", T0 + MINUTE));
      snapshot = old.snapshot(1, T0 + MINUTE);
    }
    try (var restored = harness(false, snapshot)) {
      assertThat(ids(restored, "acct-1")).containsExactly(rank("req-old"));
      process(restored, call("acct-1", "req-new", T0 + 2));
      process(restored, call("acct-1", "req-new", T0 + 3));
      assertThat(duplicates(restored)).extracting(CallEvent::getRank).containsExactly(rank("req-new"));
      assertThat(ids(restored, "acct-1")).containsExactlyInAnyOrder(rank("req-old"), rank("req-new"));

      restored.processWatermark(T0 + 10 * MINUTE);
      assertThat(restored.numKeyedStateEntries()).isZero();
      assertThat(restored.numEventTimeTimers()).isZero();
    }
  }

  /** What the filter kept before the buckets: each id to its event time, removed by a timer of its own. */
  private static final class EntryPerIdLayout extends KeyedProcessFunction<String, CallEvent, CallEvent> {
    private transient MapState<Long, Long> seen;

    @Override
    public void open(OpenContext openContext) {
      seen = getRuntimeContext().getMapState(Descriptors.spilledRequestIds());
    }

    @Override
    public void processElement(CallEvent call, Context ctx, Collector<CallEvent> out) throws Exception {
      seen.put(call.getRank(), call.getEventTime());
      long until = call.getEventTime() + RETENTION.toMillis();
      ctx.timerService().registerEventTimeTimer((Math.floorDiv(until, SLIDE.toMillis()) + 1) * SLIDE.toMillis() - 1);
      out.collect(call);
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
    return harness(sorted, null);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, CallEvent, CallEvent> harness(boolean sorted,
      OperatorSubtaskState restore) throws Exception {
    var harness = new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new DuplicateFilter(HORIZON, RETENTION, SLIDE, sorted)),
        CallEvent::getAccountId, Types.STRING);
    if (restore != null) {
      harness.initializeState(restore);
    }
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
    return filter(harness).keptIds();
  }

  private static DuplicateFilter filter(KeyedOneInputStreamOperatorTestHarness<String, CallEvent, CallEvent> h) {
    return (DuplicateFilter) ((KeyedProcessOperator<?, ?, ?>) h.getOperator()).getUserFunction();
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
