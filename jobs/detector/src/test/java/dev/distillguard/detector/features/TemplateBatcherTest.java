package dev.distillguard.detector.features;

import static dev.distillguard.detector.features.CallEvents.MINUTE;
import static dev.distillguard.detector.features.CallEvents.T0;
import static dev.distillguard.detector.features.CallEvents.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.detector.model.CallEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** When the batcher lets its batches go, and that together they hold every call of every band key, once. */
class TemplateBatcherTest {

  private static final TemplateBands BANDS = new TemplateBands(6);
  private final FeatureSettings settings = FeatureSettings.defaults();

  @Test
  void callsAreHeldUntilTheWatermarkCouldCompleteTheirFirstWindowAndGoOutBeforeThatWatermark() throws Exception {
    try (var harness = harness(TemplateBatcher.DEFAULT_MAX_BUFFERED_CALLS)) {
      // SimHashes that differ in every band: twelve band keys.
      harness.processElement(record(call("a", T0 + 5_000).simhash(0x5555_5555_5555_5555L).build()));
      harness.processElement(record(call("b", T0 + MINUTE + 5_000).simhash(0xAAAA_AAAA_AAAA_AAAAL).build()));

      harness.processWatermark(T0 + MINUTE - 2);
      assertThat(batches(harness)).isEmpty();

      harness.processWatermark(T0 + MINUTE - 1);
      List<Object> out = new ArrayList<>(harness.getOutput());
      // The watermark before, the six band keys of each call, then the watermark that may fire the first
      // call's first window: the later call goes along, early, which changes no window.
      assertThat(out).hasSize(1 + 12 + 1);
      assertThat(out.get(0)).isEqualTo(new Watermark(T0 + MINUTE - 2));
      assertThat(out.get(out.size() - 1)).isEqualTo(new Watermark(T0 + MINUTE - 1));
      assertThat(batches(harness)).hasSize(12).allSatisfy(b -> assertThat(b.calls().calls()).isEqualTo(1));
      assertThat(decoded(batches(harness)).keySet()).hasSize(12);
    }
  }

  @Test
  void everythingHeldGoesOutBeforeACheckpointBarrier() throws Exception {
    try (var harness = harness(TemplateBatcher.DEFAULT_MAX_BUFFERED_CALLS)) {
      harness.processElement(record(call("a", T0 + 5_000).simhash(0x1111L).build()));
      harness.processElement(record(call("b", T0 + 3 * MINUTE).simhash(0x1111L).build()));
      harness.prepareSnapshotPreBarrier(1L);
      // Both calls share all six band keys: one batch of two per key.
      assertThat(batches(harness)).hasSize(6).allSatisfy(b -> assertThat(b.calls().calls()).isEqualTo(2));
      // Nothing is left to snapshot: the operator keeps no state.
      assertThat(harness.snapshot(1L, 0L).getManagedOperatorState()).isEmpty();
    }
  }

  @Test
  void theBufferIsBoundedByCallsWhereNoWatermarkOrCheckpointComes() throws Exception {
    try (var harness = harness(3)) {
      for (int i = 0; i < 3; i++) {
        harness.processElement(record(call("a" + i, T0 + i).simhash(0x1111L).build()));
      }
      assertThat(batches(harness)).isEmpty();
      harness.processElement(record(call("a3", T0 + 3).simhash(0x1111L).build()));
      assertThat(batches(harness)).hasSize(6).allSatisfy(b -> assertThat(b.calls().calls()).isEqualTo(4));
      harness.processElement(record(call("a4", T0 + 4).simhash(0x1111L).build()));
      harness.processWatermark(Long.MAX_VALUE);
      assertThat(batches(harness)).hasSize(12);
    }
  }

  @Test
  void endOfInputLetsEverythingGo() throws Exception {
    var harness = harness(TemplateBatcher.DEFAULT_MAX_BUFFERED_CALLS);
    harness.processElement(record(call("a", T0 + 5_000).simhash(0x1111L).build()));
    harness.close();
    assertThat(batches(harness)).hasSize(6);
  }

  /**
   * Twelve minutes of calls spread over two subtasks, watermarks trailing, a checkpoint now and then and
   * a small buffer: their batches hold each call once for each of its band keys, and nothing else.
   */
  @Test
  void theBatchesOfAllSubtasksHoldEveryCallOncePerBandKey() throws Exception {
    Random rnd = new Random(3);
    List<CallEvent> calls = PanesOrderIndependenceTest.traffic(rnd, 3_000);
    calls.sort((a, b) -> Long.compare(a.getEventTime(), b.getEventTime()));
    var subtasks = List.of(harness(97), harness(TemplateBatcher.DEFAULT_MAX_BUFFERED_CALLS));
    for (int i = 0; i < calls.size(); i++) {
      CallEvent c = calls.get(i);
      var subtask = subtasks.get(rnd.nextInt(2));
      subtask.processElement(record(c));
      if (i % 50 == 0) {
        for (var s : subtasks) {
          s.processWatermark(c.getEventTime() - 10_000);
        }
      }
      if (i % 700 == 0) {
        subtask.prepareSnapshotPreBarrier(i);
      }
    }
    List<TemplateCalls> all = new ArrayList<>();
    for (var s : subtasks) {
      s.processWatermark(Long.MAX_VALUE);
      all.addAll(batches(s));
      s.close();
    }

    Map<Long, List<CallEvent>> expected = new HashMap<>();
    for (CallEvent c : calls) {
      for (int band = 0; band < BANDS.bands(); band++) {
        expected.computeIfAbsent(BANDS.key(c.getSimhash(), band), k -> new ArrayList<>()).add(c);
      }
    }
    Map<Long, List<CallEvent>> batched = decoded(all);
    assertThat(batched.keySet()).isEqualTo(expected.keySet());
    for (Map.Entry<Long, List<CallEvent>> key : expected.entrySet()) {
      assertThat(batched.get(key.getKey())).as(TemplateBands.name(key.getKey()))
          .containsExactlyInAnyOrderElementsOf(key.getValue());
    }
  }

  /** The calls of each band key, decoded from its batches. */
  static Map<Long, List<CallEvent>> decoded(List<TemplateCalls> batches) throws Exception {
    RecordBytes bytes = new RecordBytes();
    DataInputDeserializer in = new DataInputDeserializer();
    Map<Long, List<CallEvent>> out = new HashMap<>();
    for (TemplateCalls batch : batches) {
      CallBatch calls = batch.calls();
      int n = 0;
      for (int at = 0; at < calls.end(); at = calls.next(at)) {
        in.setBuffer(calls.bytes(), at + 4, calls.length(at));
        CallEvent call = bytes.readCallEvent(in);
        assertThat(calls.eventTime(at)).isEqualTo(call.getEventTime());
        out.computeIfAbsent(batch.templateKey(), k -> new ArrayList<>()).add(call);
        n++;
      }
      assertThat(n).isEqualTo(calls.calls());
    }
    return out;
  }

  private OneInputStreamOperatorTestHarness<CallEvent, TemplateCalls> harness(int maxBufferedCalls) throws Exception {
    var harness = new OneInputStreamOperatorTestHarness<>(new TemplateBatcher(BANDS, settings, maxBufferedCalls));
    harness.open();
    return harness;
  }

  private static StreamRecord<CallEvent> record(CallEvent call) {
    return new StreamRecord<>(call, call.getEventTime());
  }

  private static List<TemplateCalls> batches(OneInputStreamOperatorTestHarness<CallEvent, TemplateCalls> harness) {
    return harness.extractOutputValues();
  }
}
