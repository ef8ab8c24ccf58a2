package dev.distillguard.detector.features;

import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The LSH fan-out of calls to their template band keys, combined before the shuffle: each call is added
 * to this subtask's partial pane of each of its band keys, and the partial panes go downstream instead of
 * one copy of the call per band. Every band key collects a slice of all traffic, so a subtask sees many
 * calls per key and pane between flushes, and the template feature operator merges one partial pane where
 * it would have added each call ({@link Panes#merge} gives the same pane as adding the calls one by one).
 *
 * <p>A partial pane is flushed before the watermark that could complete its first window is passed on,
 * so windows are computed over the same calls as without combining; before every checkpoint barrier, so
 * this operator holds no state and a checkpoint loses nothing; at the end of input; and whenever more
 * than {@code maxBufferedCalls} calls are held, which bounds its memory where no watermark or checkpoint
 * comes (a BATCH backfill).
 */
public final class TemplatePaneCombiner extends AbstractStreamOperator<TemplatePartial>
    implements OneInputStreamOperator<CallEvent, TemplatePartial> {

  private static final long serialVersionUID = 1L;

  /** About a few tens of MiB of member maps per subtask: each call adds to one pane per band. */
  public static final int DEFAULT_MAX_BUFFERED_CALLS = 20_000;

  private final TemplateBands bands;
  private final FeatureSettings settings;
  private final int maxBufferedCalls;

  /** Partial panes by pane start, then by band key. */
  private transient TreeMap<Long, Buffer> buffered;
  private transient int bufferedCalls;
  private transient Counter partialPanes;
  private transient RecordBytes paneBytes;

  public TemplatePaneCombiner(TemplateBands bands, FeatureSettings settings) {
    this(bands, settings, DEFAULT_MAX_BUFFERED_CALLS);
  }

  public TemplatePaneCombiner(TemplateBands bands, FeatureSettings settings, int maxBufferedCalls) {
    if (maxBufferedCalls < 1) {
      throw new IllegalArgumentException("maxBufferedCalls must be positive, was " + maxBufferedCalls);
    }
    this.bands = bands;
    this.settings = settings;
    this.maxBufferedCalls = maxBufferedCalls;
  }

  @Override
  public void open() throws Exception {
    super.open();
    buffered = new TreeMap<>();
    bufferedCalls = 0;
    paneBytes = new RecordBytes();
    partialPanes = getMetricGroup().addGroup("features").addGroup("key_space", "template")
        .counter("partialPanesEmitted");
  }

  @Override
  public void processElement(StreamRecord<CallEvent> element) throws Exception {
    CallEvent call = element.getValue();
    long paneStart = Panes.paneStart(call, settings);
    Buffer buffer = buffered.computeIfAbsent(paneStart, start -> new Buffer());
    for (int band = 0; band < bands.bands(); band++) {
      long key = bands.key(call.getSimhash(), band);
      Pane pane = buffer.byKey.get(key);
      if (pane == null) {
        // Gone at the next flush, and merged into the band key's pane downstream: hashed, for cheap inserts.
        pane = Panes.empty(paneStart, Panes.MemberMaps.HASHED);
        buffer.byKey.put(key, pane);
      }
      Panes.add(pane, call, KeySpace.TEMPLATE, settings);
    }
    buffer.calls++;
    if (++bufferedCalls > maxBufferedCalls) {
      flush(Long.MAX_VALUE);
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    // The template operator's first timer for a pane is at its end - 1: the pane must be there before it.
    long timestamp = mark.getTimestamp();
    long slide = settings.slideMillis();
    if (timestamp == Long.MAX_VALUE) {
      flush(Long.MAX_VALUE);
    } else if (timestamp >= Long.MIN_VALUE + slide) {
      flush(timestamp - slide + 1);
    }
    super.processWatermark(mark);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    flush(Long.MAX_VALUE);
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    flush(Long.MAX_VALUE);
    super.finish();
  }

  /** Emits the partial panes starting at or before {@code lastStart}. */
  private void flush(long lastStart) {
    Iterator<Map.Entry<Long, Buffer>> panes = buffered.headMap(lastStart, true).entrySet().iterator();
    while (panes.hasNext()) {
      Map.Entry<Long, Buffer> pane = panes.next();
      for (Map.Entry<Long, Pane> partial : pane.getValue().byKey.entrySet()) {
        output.collect(new StreamRecord<>(
            new TemplatePartial(partial.getKey(), FrozenPane.of(partial.getValue(), paneBytes)), pane.getKey()));
        partialPanes.inc();
      }
      bufferedCalls -= pane.getValue().calls;
      panes.remove();
    }
  }

  /** The partial panes of one pane start, by band key, and how many calls went into them. */
  private static final class Buffer {
    final Map<Long, Pane> byKey = new HashMap<>();
    int calls;
  }
}
