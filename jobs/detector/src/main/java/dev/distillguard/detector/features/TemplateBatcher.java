package dev.distillguard.detector.features;

import dev.distillguard.detector.model.CallEvent;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The LSH fan-out of calls to their template band keys, batched before the shuffle: each call is encoded
 * once and its bytes appended to this subtask's batch for each of its band keys, and one record per band
 * key goes downstream at a flush instead of one copy of the call per band. Every band key collects a slice
 * of all traffic, so a flush sends each key many calls in one record, which the template feature operator
 * keeps as it came until the calls' pane is folded.
 *
 * <p>Everything held is flushed before a watermark that could complete the first window of a pane any
 * held call is in, so windows are computed over the same calls as without batching; before every checkpoint
 * barrier, so this operator holds no state and a checkpoint loses nothing; at the end of input; and
 * whenever more than {@code maxBufferedCalls} calls are held, which bounds its memory where no watermark or
 * checkpoint comes (a BATCH backfill, where a flush of calls sorted by account still gives each band key
 * tens of calls a record: a twentieth of the records Flink's sort would otherwise sort).
 */
public final class TemplateBatcher extends AbstractStreamOperator<TemplateCalls>
    implements OneInputStreamOperator<CallEvent, TemplateCalls> {

  private static final long serialVersionUID = 1L;

  /** About 20,000 calls of a hundred bytes each, six times over: some 12 MiB per subtask. */
  public static final int DEFAULT_MAX_BUFFERED_CALLS = 20_000;

  private final TemplateBands bands;
  private final FeatureSettings settings;
  private final int maxBufferedCalls;

  private transient BatchesByKey batches;
  private transient int bufferedCalls;
  /** The least pane end - 1 of the calls held: a watermark there may complete a window of theirs. */
  private transient long firstWindowDue;
  private transient RecordBytes callBytes;
  private transient Counter batchesSent;

  public TemplateBatcher(TemplateBands bands, FeatureSettings settings) {
    this(bands, settings, DEFAULT_MAX_BUFFERED_CALLS);
  }

  public TemplateBatcher(TemplateBands bands, FeatureSettings settings, int maxBufferedCalls) {
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
    batches = new BatchesByKey();
    bufferedCalls = 0;
    firstWindowDue = Long.MAX_VALUE;
    callBytes = new RecordBytes();
    batchesSent = getMetricGroup().addGroup("features").addGroup("key_space", "template").counter("batchesSent");
  }

  @Override
  public void processElement(StreamRecord<CallEvent> element) throws Exception {
    CallEvent call = element.getValue();
    DataOutputSerializer encoded = callBytes.encode(call);
    for (int band = 0; band < bands.bands(); band++) {
      batches.of(bands.key(call.getSimhash(), band)).add(encoded, call.getEventTime());
    }
    firstWindowDue = Math.min(firstWindowDue, Panes.paneStart(call, settings) + settings.slideMillis() - 1);
    if (++bufferedCalls > maxBufferedCalls) {
      flush();
    }
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    // The template operator's first timer for a pane is at its end - 1: the calls must be there before it.
    if (mark.getTimestamp() >= firstWindowDue) {
      flush();
    }
    super.processWatermark(mark);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    flush();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    flush();
    super.finish();
  }

  private void flush() {
    for (int i = 0; i < batches.capacity(); i++) {
      Batch calls = batches.at(i);
      if (calls != null && calls.builder.calls() > 0) {
        output.collect(new StreamRecord<>(new TemplateCalls(batches.keyAt(i), calls.builder.build()), calls.earliest));
        calls.earliest = Long.MAX_VALUE;
        batchesSent.inc();
      }
    }
    // Kept for the next flush, with their grown buffers, unless this subtask's band keys have been many.
    if (batches.size() > 4 * bands.bands() * 1024) {
      batches = new BatchesByKey();
    }
    bufferedCalls = 0;
    firstWindowDue = Long.MAX_VALUE;
  }

  /**
   * Batches by band key, open addressing on the primitive key: six lookups a call, which through a
   * {@code HashMap<Long, ...>} were six boxed keys a call.
   */
  private static final class BatchesByKey {
    private long[] keys = new long[1024];
    private Batch[] batches = new Batch[1024];
    private int size;

    Batch of(long key) {
      int mask = keys.length - 1;
      for (int i = slot(key, mask); ; i = (i + 1) & mask) {
        Batch batch = batches[i];
        if (batch == null) {
          batch = new Batch();
          keys[i] = key;
          batches[i] = batch;
          if (++size * 2 > keys.length) {
            grow();
          }
          return batch;
        }
        if (keys[i] == key) {
          return batch;
        }
      }
    }

    int capacity() {
      return keys.length;
    }

    Batch at(int i) {
      return batches[i];
    }

    long keyAt(int i) {
      return keys[i];
    }

    int size() {
      return size;
    }

    private void grow() {
      long[] oldKeys = keys;
      Batch[] oldBatches = batches;
      keys = new long[oldKeys.length * 2];
      batches = new Batch[oldKeys.length * 2];
      int mask = keys.length - 1;
      for (int j = 0; j < oldKeys.length; j++) {
        if (oldBatches[j] != null) {
          int i = slot(oldKeys[j], mask);
          while (batches[i] != null) {
            i = (i + 1) & mask;
          }
          keys[i] = oldKeys[j];
          batches[i] = oldBatches[j];
        }
      }
    }

    private static int slot(long key, int mask) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32)) & mask;
    }
  }

  /** One band key's calls since the last flush. */
  private static final class Batch {
    final CallBatch.Builder builder = new CallBatch.Builder();
    long earliest = Long.MAX_VALUE;

    void add(DataOutputSerializer call, long eventTime) {
      builder.add(call.getSharedBuffer(), call.length());
      earliest = Math.min(earliest, eventTime);
    }
  }
}
