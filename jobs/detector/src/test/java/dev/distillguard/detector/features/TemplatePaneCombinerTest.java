package dev.distillguard.detector.features;

import static dev.distillguard.detector.features.CallEvents.MINUTE;
import static dev.distillguard.detector.features.CallEvents.T0;
import static dev.distillguard.detector.features.CallEvents.call;
import static dev.distillguard.detector.features.CallEvents.panes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** When the combiner lets its partial panes go, and that together they hold every call of every band key. */
class TemplatePaneCombinerTest {

  private static final TemplateBands BANDS = new TemplateBands(6);
  private final FeatureSettings settings = FeatureSettings.defaults();

  @Test
  void aPaneIsHeldUntilTheWatermarkCouldCompleteItsFirstWindowAndGoesOutBeforeThatWatermark() throws Exception {
    try (var harness = harness(TemplatePaneCombiner.DEFAULT_MAX_BUFFERED_CALLS)) {
      harness.processElement(record(call("a", T0 + 5_000).simhash(0x1111L).build()));
      harness.processElement(record(call("b", T0 + MINUTE + 5_000).simhash(0x2222L).build()));

      harness.processWatermark(T0 + MINUTE - 2);
      assertThat(partials(harness)).isEmpty();

      harness.processWatermark(T0 + MINUTE - 1);
      List<Object> out = new ArrayList<>(harness.getOutput());
      // Six band keys of the first call's pane, then the watermark that may fire their first window.
      assertThat(out).hasSize(2 + 6);
      assertThat(out.get(out.size() - 1)).isEqualTo(new Watermark(T0 + MINUTE - 1));
      assertThat(partials(harness)).hasSize(6).allSatisfy(p -> {
        assertThat(p.pane().start()).isEqualTo(T0);
        assertThat(p.pane().thaw(new RecordBytes()).getAccounts()).containsOnlyKeys("a");
      });
    }
  }

  @Test
  void everythingHeldGoesOutBeforeACheckpointBarrier() throws Exception {
    try (var harness = harness(TemplatePaneCombiner.DEFAULT_MAX_BUFFERED_CALLS)) {
      harness.processElement(record(call("a", T0 + 5_000).simhash(0x1111L).build()));
      harness.processElement(record(call("b", T0 + 3 * MINUTE).simhash(0x2222L).build()));
      harness.prepareSnapshotPreBarrier(1L);
      assertThat(partials(harness)).hasSize(12);
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
      assertThat(partials(harness)).isEmpty();
      harness.processElement(record(call("a3", T0 + 3).simhash(0x1111L).build()));
      assertThat(partials(harness)).hasSize(6).allSatisfy(p -> assertThat(p.pane().count()).isEqualTo(4));
      harness.processElement(record(call("a4", T0 + 4).simhash(0x1111L).build()));
      harness.processWatermark(Long.MAX_VALUE);
      assertThat(partials(harness)).hasSize(12);
    }
  }

  @Test
  void endOfInputLetsEverythingGo() throws Exception {
    var harness = harness(TemplatePaneCombiner.DEFAULT_MAX_BUFFERED_CALLS);
    harness.processElement(record(call("a", T0 + 5_000).simhash(0x1111L).build()));
    harness.close();
    assertThat(partials(harness)).hasSize(6);
  }

  /**
   * Twelve minutes of calls spread over two subtasks, watermarks trailing, a checkpoint now and then and
   * a small buffer: merged per band key and pane, their partial panes are the panes the calls give added
   * one by one to each band key.
   */
  @Test
  void thePartialPanesOfAllSubtasksMergeIntoEveryBandKeysPanes() throws Exception {
    Random rnd = new Random(3);
    List<CallEvent> calls = PanesOrderIndependenceTest.traffic(rnd, 3_000);
    calls.sort((a, b) -> Long.compare(a.getEventTime(), b.getEventTime()));
    Map<Long, TreeMap<Long, Pane>> merged = new HashMap<>();
    RecordBytes bytes = new RecordBytes();
    var subtasks = List.of(harness(97), harness(TemplatePaneCombiner.DEFAULT_MAX_BUFFERED_CALLS));
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
    for (var s : subtasks) {
      s.processWatermark(Long.MAX_VALUE);
      for (TemplatePartial p : partials(s)) {
        TreeMap<Long, Pane> panes = merged.computeIfAbsent(p.templateKey(), k -> new TreeMap<>());
        Pane partial = p.pane().thaw(bytes);
        Pane existing = panes.get(partial.getStart());
        if (existing == null) {
          panes.put(partial.getStart(), partial);
        } else {
          Panes.merge(existing, partial, KeySpace.TEMPLATE, settings);
        }
      }
      s.close();
    }

    Map<Long, List<CallEvent>> byKey = new HashMap<>();
    for (CallEvent c : calls) {
      for (int band = 0; band < BANDS.bands(); band++) {
        byKey.computeIfAbsent(BANDS.key(c.getSimhash(), band), k -> new ArrayList<>()).add(c);
      }
    }
    assertThat(merged.keySet()).isEqualTo(byKey.keySet());
    for (Map.Entry<Long, List<CallEvent>> key : byKey.entrySet()) {
      assertThat(new ArrayList<>(merged.get(key.getKey()).values()))
          .as(TemplateBands.name(key.getKey()))
          .isEqualTo(panes(key.getValue(), KeySpace.TEMPLATE, settings));
    }
  }

  private OneInputStreamOperatorTestHarness<CallEvent, TemplatePartial> harness(int maxBufferedCalls) throws Exception {
    var harness = new OneInputStreamOperatorTestHarness<>(
        new TemplatePaneCombiner(BANDS, settings, maxBufferedCalls));
    harness.open();
    return harness;
  }

  private static StreamRecord<CallEvent> record(CallEvent call) {
    return new StreamRecord<>(call, call.getEventTime());
  }

  private static List<TemplatePartial> partials(OneInputStreamOperatorTestHarness<CallEvent, TemplatePartial> harness) {
    return harness.extractOutputValues();
  }
}
