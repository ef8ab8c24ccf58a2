package dev.distillguard.detector.ingest;

import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.CallEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Counts a call once however often it is delivered. Keyed by account: a call whose request id (its
 * 64-bit hash, {@link CallEvent#getRank()}) the account already sent with an event time at most the
 * horizon away is a duplicate: dropped, counted and sent to the duplicate-calls side output. The first
 * copy to arrive goes on. The account's own feature operator follows without a shuffle; the subnet and
 * template key spaces read this operator's output.
 *
 * <p>State is one map entry per recent request of the account (hash to event time), so a call costs one
 * lookup and one write however busy the account is: a flooding account cannot make each of its calls
 * slower, as one state value holding all its ids would (RocksDB reads and writes a value whole). An
 * entry is kept for the retention past its event time ({@link
 * dev.distillguard.detector.config.DetectorConfig.Ingest#retention}), by event-time timers rounded up to
 * the slide: a key holds one timer per slide of event time its kept ids span (a handful), and a quiet
 * key leaves no state and no timer. Any copy that arrives while that entry is kept is caught; a copy arriving later is behind the
 * watermark by more than a pane plus the allowed lateness, so the ingest router has already sent it to
 * the late output.
 *
 * <p>Redeliveries carry the same event time, so the same calls go on whatever the order of arrival: live,
 * streaming backfill or batch backfill. In BATCH execution Flink sorts each key's calls by time and fires
 * timers only when the key's input ends, so ids older than the horizon are pruned as the calls go by
 * instead, keeping a busy account's map small there too.
 */
public final class DuplicateFilter extends KeyedProcessFunction<String, CallEvent, CallEvent> {

  private static final long serialVersionUID = 1L;

  /** Accumulator names: calls that went on into the key spaces, and duplicates dropped. */
  public static final String PROCESSED = "calls-processed";
  public static final String DUPLICATES = "calls-duplicate";

  private final long horizonMillis;
  private final long retentionMillis;
  private final long granuleMillis;
  private final boolean sortedInput;

  private transient MapState<Long, Long> seen;
  private transient Counter processed;
  private transient Counter duplicates;
  private transient LongCounter processedTotal;
  private transient LongCounter duplicatesTotal;
  private transient volatile long watermark;
  private transient Object prunedKey;
  private transient long prunedAt;

  /**
   * @param retention how long past its event time a request id is kept; at least the horizon
   * @param granule timers are rounded up to a multiple of this (the slide)
   * @param sortedInput calls arrive sorted by key and event time, timers fire at the end of a key (BATCH)
   */
  public DuplicateFilter(Duration horizon, Duration retention, Duration granule, boolean sortedInput) {
    if (retention.compareTo(horizon) < 0 || granule.isZero() || granule.isNegative()) {
      throw new IllegalArgumentException("retention " + retention + " must cover the horizon " + horizon
          + " and granule " + granule + " must be positive");
    }
    this.horizonMillis = horizon.toMillis();
    this.retentionMillis = retention.toMillis();
    this.granuleMillis = granule.toMillis();
    this.sortedInput = sortedInput;
  }

  @Override
  public void open(OpenContext openContext) {
    seen = getRuntimeContext().getMapState(Descriptors.recentRequestIds());
    MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("ingest");
    processed = metrics.counter("callsProcessed");
    duplicates = metrics.counter("callsDuplicate");
    watermark = Long.MIN_VALUE;
    // Wall clock minus the watermark this operator has (the least over every source partition): how far
    // behind real time the detector's event time is. -1 until the first watermark.
    metrics.gauge("watermarkLagMs", (Gauge<Long>) () -> {
      long w = watermark;
      return w == Long.MIN_VALUE ? -1L : Math.max(0L, System.currentTimeMillis() - w);
    });
    processedTotal = new LongCounter();
    duplicatesTotal = new LongCounter();
    getRuntimeContext().addAccumulator(PROCESSED, processedTotal);
    getRuntimeContext().addAccumulator(DUPLICATES, duplicatesTotal);
  }

  @Override
  public void processElement(CallEvent call, Context ctx, Collector<CallEvent> out) throws Exception {
    watermark = ctx.timerService().currentWatermark();
    long time = call.getEventTime();
    if (sortedInput) {
      pruneBehind(ctx.getCurrentKey(), time);
    }
    Long first = seen.get(call.getRank());
    if (first != null && Math.abs(time - first) <= horizonMillis) {
      duplicates.inc();
      duplicatesTotal.add(1);
      ctx.output(Descriptors.DUPLICATE_CALLS, call);
      return;
    }
    // An id reused beyond the horizon is a new call; keep the later time, which is kept longer.
    if (first == null || time > first) {
      seen.put(call.getRank(), time);
      ctx.timerService().registerEventTimeTimer(expiry(time));
    }
    processed.inc();
    processedTotal.add(1);
    out.collect(call);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<CallEvent> out) throws Exception {
    watermark = ctx.timerService().currentWatermark();
    List<Long> expired = new ArrayList<>();
    boolean anyLeft = false;
    for (Map.Entry<Long, Long> entry : seen.entries()) {
      if (expiry(entry.getValue()) <= timestamp) {
        expired.add(entry.getKey());
      } else {
        anyLeft = true;
      }
    }
    if (!anyLeft) {
      seen.clear();
      return;
    }
    for (Long rank : expired) {
      seen.remove(rank);
    }
  }

  /** The timer that removes an id seen at {@code time}: the retention on, rounded up to the granule. */
  long expiry(long time) {
    long until = time > Long.MAX_VALUE - retentionMillis - granuleMillis ? Long.MAX_VALUE : time + retentionMillis;
    if (until == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    return (Math.floorDiv(until, granuleMillis) + 1) * granuleMillis - 1;
  }

  /** Sorted input: ids further back than the horizon can match no later call of this key. */
  private void pruneBehind(Object key, long time) throws Exception {
    if (!key.equals(prunedKey)) {
      prunedKey = key;
      prunedAt = time;
      return;
    }
    if (time - prunedAt < granuleMillis) {
      return;
    }
    prunedAt = time;
    List<Long> old = new ArrayList<>();
    for (Map.Entry<Long, Long> entry : seen.entries()) {
      if (entry.getValue() < time - horizonMillis) {
        old.add(entry.getKey());
      }
    }
    for (Long rank : old) {
      seen.remove(rank);
    }
  }
}
