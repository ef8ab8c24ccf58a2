package dev.distillguard.detector.ingest;

import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.CallEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
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
 * <p>State is the account's recent ids by granule (the slide) of event time, each granule's ids in one
 * {@link RequestIdBucket}: a call reads the account's few buckets and writes its own back, a heap
 * snapshot writes a few arrays per account rather than an entry per call, and the granule's one
 * event-time timer removes the bucket the retention after the granule ends ({@link
 * dev.distillguard.detector.config.DetectorConfig.Ingest#retention}). A bucket holds up to {@link
 * RequestIdBucket#CAPACITY} ids; a flooding account's further ids of that granule are kept one map entry
 * each, so none of its calls reads or writes more than a full bucket and an entry however busy it is. A
 * quiet key leaves no state and no timer. Any copy that arrives while the first one's id is kept is
 * caught; a copy arriving later is behind the watermark by more than a pane plus the allowed lateness, so
 * the ingest router has already sent it to the late output.
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

  private transient MapState<Long, RequestIdBucket> buckets;
  private transient MapState<Long, Long> spilled;
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
    buckets = getRuntimeContext().getMapState(Descriptors.requestIdBuckets());
    spilled = getRuntimeContext().getMapState(Descriptors.spilledRequestIds());
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
    long id = call.getRank();
    if (sortedInput) {
      pruneBehind(ctx.getCurrentKey(), time);
    }
    long granule = Math.floorDiv(time, granuleMillis);
    RequestIdBucket own = null;
    boolean duplicate = false;
    boolean spilledNear = false;
    for (Map.Entry<Long, RequestIdBucket> entry : buckets.entries()) {
      long other = entry.getKey();
      RequestIdBucket ids = entry.getValue();
      if (other == granule) {
        own = ids;
      }
      if (withinHorizon(other, time)) {
        duplicate |= ids.holds(id, time, horizonMillis);
        spilledNear |= ids.isSpilled();
      }
    }
    Long spilledFirst = spilledNear && !duplicate ? spilled.get(id) : null;
    if (duplicate || spilledFirst != null && Math.abs(time - spilledFirst) <= horizonMillis) {
      duplicates.inc();
      duplicatesTotal.add(1);
      ctx.output(Descriptors.DUPLICATE_CALLS, call);
      return;
    }
    if (own == null) {
      buckets.put(granule, RequestIdBucket.empty().with(id, time));
      ctx.timerService().registerEventTimeTimer(expiry(granule));
    } else if (!own.isFull()) {
      buckets.put(granule, own.with(id, time));
    } else {
      if (!own.isSpilled()) {
        buckets.put(granule, own.markedSpilled());
      }
      // An id reused beyond the horizon is a new call; keep the later time, which is kept longer.
      Long first = spilled.get(id);
      if (first == null || time > first) {
        spilled.put(id, time);
      }
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
    for (Long granule : buckets.keys()) {
      if (expiry(granule) <= timestamp) {
        expired.add(granule);
      } else {
        anyLeft = true;
      }
    }
    if (!anyLeft) {
      buckets.clear();
      spilled.clear();
      return;
    }
    for (Long granule : expired) {
      buckets.remove(granule);
    }
    removeSpilled(time -> expiry(Math.floorDiv(time, granuleMillis)) <= timestamp);
  }

  /**
   * The timer that removes the ids of a granule: the retention after the granule's last millisecond,
   * rounded up to the granule's end.
   */
  long expiry(long granule) {
    long last = lastMillis(granule);
    if (last > Long.MAX_VALUE - retentionMillis - granuleMillis) {
      return Long.MAX_VALUE;
    }
    return (Math.floorDiv(last + retentionMillis, granuleMillis) + 1) * granuleMillis - 1;
  }

  private long lastMillis(long granule) {
    return granule >= Long.MAX_VALUE / granuleMillis ? Long.MAX_VALUE : (granule + 1) * granuleMillis - 1;
  }

  /** Whether some time of the granule is at most the horizon from {@code time}. */
  private boolean withinHorizon(long granule, long time) {
    return granule * granuleMillis - horizonMillis <= time && time - horizonMillis <= lastMillis(granule);
  }

  private void removeSpilled(LongPredicate gone) throws Exception {
    if (spilled.isEmpty()) {
      return;
    }
    List<Long> old = new ArrayList<>();
    for (Map.Entry<Long, Long> entry : spilled.entries()) {
      if (gone.test(entry.getValue())) {
        old.add(entry.getKey());
      }
    }
    for (Long id : old) {
      spilled.remove(id);
    }
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
    for (Long granule : buckets.keys()) {
      if (lastMillis(granule) < time - horizonMillis) {
        old.add(granule);
      }
    }
    for (Long granule : old) {
      buckets.remove(granule);
    }
    removeSpilled(t -> t < time - horizonMillis);
  }

  /** The current key's kept ids, in buckets and spilled; for tests. */
  List<Long> keptIds() throws Exception {
    List<Long> ids = new ArrayList<>();
    for (RequestIdBucket bucket : buckets.values()) {
      for (int i = 0; i < bucket.size(); i++) {
        ids.add(bucket.id(i));
      }
    }
    for (Long id : spilled.keys()) {
      ids.add(id);
    }
    return ids;
  }
}
