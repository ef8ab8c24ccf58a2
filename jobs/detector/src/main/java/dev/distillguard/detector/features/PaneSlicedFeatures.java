package dev.distillguard.detector.features;

import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeyIndex;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.PaneTally;
import dev.distillguard.detector.model.WindowFeatures;
import dev.distillguard.detector.patterns.ScoringPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sliding-window features of one key space, pane-sliced: each call updates the one pane (slide) it falls
 * in, and at a window end that passes the key space's configured minimums the key's panes in the window
 * are combined and emitted, for {@link dev.distillguard.detector.policy.PolicyScorer} to score under the
 * policy in force. A key holds its panes (at most one window of them), one state entry each, a small
 * index of their tallies, and one timer: a call reads and writes its own pane and the index, which under
 * RocksDB is what each call pays to serialize, not all of the key's panes.
 *
 * <p>A pane is open while calls may still land in it and frozen ({@link FrozenPane}) once they cannot: when
 * its windows are computed, or when the key's next pane starts after the watermark has passed its end.
 * Frozen, it is its bytes: the heap backend neither copies it on write nor encodes it again at each
 * checkpoint, and windows are computed from the bytes in place. A call that reaches a frozen pane all the
 * same (one allowed lateness let through) thaws it.
 *
 * <p>The timer goes to the next window end that could be reported, judged by a cheap upper bound (enough
 * requests, enough accounts), or else to the end of the last window the key's panes are in, to clean up.
 * Most keys (a light account, a prompt nobody else sent) never pass the bound: they cost one timer, and
 * leave no state and no timer once their panes slide out. Timers fire at {@code end - 1}, like Flink's
 * own windows: a window is complete when the watermark reaches its last millisecond.
 *
 * <p>In BATCH execution Flink fires a key's timers when the key's input ends and ignores timers
 * registered from a timer callback, so one chained timer would report only its first window. There
 * ({@link Execution#BATCH}) each new pane registers the ends of all windows it is in, and every window end
 * is looked at; the windows reported are the same.
 *
 * <p>Account and subnet keys take calls one by one ({@link #ofCalls}), added to their open pane. Template
 * keys take batches of calls from {@link TemplateBatcher} ({@link #ofBatches}): a band key collects a slice
 * of all traffic, so a batch stands for many calls. Batches are kept as they came, appended to the key's
 * pending calls, and a pane's calls are folded into it at once when its first window is computed: a batch
 * costs an append (under RocksDB a write without a read), not a read, decode, update and encode of the
 * bucket's growing pane, and nothing of a bucket's open pane is copied on write or encoded at a checkpoint
 * but its calls' bytes. Folded, they give the pane that adding them one by one gives.
 */
public final class PaneSlicedFeatures<K, IN> extends KeyedProcessFunction<K, IN, WindowFeatures> {

  private static final long serialVersionUID = 1L;
  private static final long NO_TIMER = Long.MIN_VALUE;
  private static final long NONE_PENDING = Long.MIN_VALUE;

  /**
   * How long, by the wall clock, a template key's calls may wait before a batch that finds them waiting
   * folds them into their panes. Folded only at the pane's first window, a pane's calls are folded in the
   * burst of window computations when the watermark passes its end, and at thousands of calls a second of
   * event time that burst held the decisions back (docs/performance.md): calls folded as they age leave
   * at most this much of a pane to the burst. A replay that runs event time faster than the wall clock
   * folds each pane about once, as before; each fold decodes and encodes the pane again, so shorter costs
   * more CPU. Folding changes no pane, so no result depends on the wall clock.
   */
  private static final long FOLD_AFTER_MILLIS = 10_000;

  /** How the job runs, which decides how a key's timers and open panes are kept. */
  public enum Execution {
    /** One chained timer per key; an open pane's member maps as sorted arrays, compact and encoded in order. */
    STREAMING(Panes.MemberMaps.SORTED_ARRAYS),
    /**
     * One timer per window end; member maps hashed. Flink's BATCH state backend holds only the current key's
     * state, never copies or snapshots it, so compactness buys nothing there, and a backfill's band keys
     * take every call of a dense pane one by one, each an insertion into a member map of up to thousands.
     */
    BATCH(Panes.MemberMaps.HASHED);

    private final Panes.MemberMaps memberMaps;

    Execution(Panes.MemberMaps memberMaps) {
      this.memberMaps = memberMaps;
    }
  }

  private final KeySpace space;
  private final FeatureSettings settings;
  private final ScoringPolicy policy;
  private final Execution execution;
  /** Whether the input is batches of template calls, kept until their pane folds, rather than single calls. */
  private final boolean batches;

  private transient ValueState<KeyIndex> index;
  private transient MapState<Long, StoredPane> panes;
  private transient ListState<CallBatch> pendingCalls;
  private transient Counter droppedLate;
  private transient Counter calls;
  private transient Counter windowsReported;
  private transient RecordBytes paneBytes;
  private transient DataInputDeserializer callInput;

  private PaneSlicedFeatures(KeySpace space, FeatureSettings settings, ScoringPolicy policy, Execution execution,
      boolean batches) {
    this.space = space;
    this.settings = settings;
    this.policy = policy;
    this.execution = execution;
    this.batches = batches;
  }

  /** Features of a key space from its calls, one at a time. */
  public static <K> PaneSlicedFeatures<K, CallEvent> ofCalls(KeySpace space, FeatureSettings settings,
      ScoringPolicy policy, Execution execution) {
    return new PaneSlicedFeatures<>(space, settings, policy, execution, false);
  }

  /** Features of template band keys, from the batches of {@link TemplateBatcher}. */
  public static PaneSlicedFeatures<Long, TemplateCalls> ofBatches(FeatureSettings settings, ScoringPolicy policy,
      Execution execution) {
    return new PaneSlicedFeatures<>(KeySpace.TEMPLATE, settings, policy, execution, true);
  }

  @Override
  public void open(OpenContext openContext) {
    index = getRuntimeContext().getState(Descriptors.keyIndex());
    panes = getRuntimeContext().getMapState(Descriptors.keyPanes());
    if (batches) {
      pendingCalls = getRuntimeContext().getListState(Descriptors.pendingTemplateCalls());
    }
    droppedLate = getRuntimeContext().getMetricGroup().counter("droppedLateCalls");
    // Labelled by key space so one query graphs all three; a template key space sees each call once per
    // LSH band.
    MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("features")
        .addGroup("key_space", space.name().toLowerCase(java.util.Locale.ROOT));
    calls = metrics.counter("calls");
    metrics.meter("callsPerSecond", new MeterView(calls));
    windowsReported = metrics.counter("windowsReported");
    paneBytes = new RecordBytes();
    callInput = new DataInputDeserializer();
  }

  @Override
  public void processElement(IN in, Context ctx, Collector<WindowFeatures> out) throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    KeyIndex key = index.value();
    if (key == null) {
      key = new KeyIndex(new ArrayList<>(), NO_TIMER, false, NONE_PENDING);
    }
    long earliestPane = batches ? addBatch(((TemplateCalls) in).calls(), key, ctx, watermark)
        : addCall((CallEvent) in, key, ctx, watermark);
    if (earliestPane == Long.MAX_VALUE) {
      return;
    }
    if (execution == Execution.BATCH) {
      index.update(key);
      return;
    }
    // More calls only make windows more reportable, so a report timer already due no later than the first
    // window of the earliest pane they are in still stands; anything else is worked out again.
    if (!(key.getTimerReports() && key.getTimer() <= earliestPane + settings.slideMillis() - 1)) {
      schedule(key, ctx, watermark);
    }
    index.update(key);
  }

  /** Adds a call to its open pane; returns the pane's start, or Long.MAX_VALUE for a call too late to count. */
  private long addCall(CallEvent call, KeyIndex key, Context ctx, long watermark) throws Exception {
    calls.inc();
    long paneStart = Panes.paneStart(call, settings);
    if (tooLate(paneStart, watermark)) {
      droppedLate.inc();
      return Long.MAX_VALUE;
    }
    PaneTally tally = tallyAt(key.getPanes(), paneStart);
    boolean newPane = tally.getCount() == 0;
    StoredPane stored = panes.get(paneStart);
    Pane pane = stored == null ? Panes.empty(paneStart, execution.memberMaps)
        : stored.toOpen(paneBytes, execution.memberMaps);
    Panes.add(pane, call, space, settings);
    panes.put(paneStart, stored instanceof StoredPane.Open open ? open : new StoredPane.Open(pane));
    tally.setCount(pane.getCount());
    tally.setAccounts(pane.getAccounts().size());
    if (newPane) {
      if (execution == Execution.BATCH) {
        registerWindowEnds(paneStart, ctx);
      } else {
        freezeClosedBefore(key.getPanes(), paneStart, watermark);
      }
    }
    return paneStart;
  }

  /**
   * Keeps a batch of a template key's calls until their panes fold, and counts them into the tallies (a
   * call adds at most one account, so until the pane folds its calls bound its accounts from above, as the
   * report bound needs). Returns the earliest pane a call counted in, or Long.MAX_VALUE if none did.
   */
  private long addBatch(CallBatch batch, KeyIndex key, Context ctx, long watermark) throws Exception {
    calls.inc(batch.calls());
    long earliest = Long.MAX_VALUE;
    int late = 0;
    for (int at = 0; at < batch.end(); at = batch.next(at)) {
      long paneStart = paneStart(batch.eventTime(at));
      if (tooLate(paneStart, watermark)) {
        late++;
        continue;
      }
      PaneTally tally = tallyAt(key.getPanes(), paneStart);
      if (tally.getCount() == 0 && execution == Execution.BATCH) {
        registerWindowEnds(paneStart, ctx);
      }
      tally.setCount(tally.getCount() + 1);
      tally.setAccounts(tally.getAccounts() + 1);
      earliest = Math.min(earliest, paneStart);
    }
    if (late > 0) {
      droppedLate.inc(late);
      CallBatch.Builder kept = new CallBatch.Builder();
      for (int at = 0; at < batch.end(); at = batch.next(at)) {
        if (!tooLate(paneStart(batch.eventTime(at)), watermark)) {
          kept.add(batch, at);
        }
      }
      batch = kept.build();
    }
    if (batch.calls() > 0) {
      pendingCalls.add(batch);
      long now = ctx.timerService().currentProcessingTime();
      if (key.getPendingSince() == NONE_PENDING) {
        key.setPendingSince(now);
      } else if (execution == Execution.STREAMING && now - key.getPendingSince() >= FOLD_AFTER_MILLIS) {
        foldPendingCalls(key, Long.MIN_VALUE, Long.MAX_VALUE, now);
      }
    }
    return earliest;
  }

  /**
   * Every window the pane starting at {@code paneStart} is in has been emitted. The ingest stage diverts
   * such calls to the late output first, so this only counts what slipped past it.
   */
  private boolean tooLate(long paneStart, long watermark) {
    return paneStart + settings.windowMillis() - 1 <= watermark;
  }

  private long paneStart(long eventTime) {
    return Math.floorDiv(eventTime, settings.slideMillis()) * settings.slideMillis();
  }

  /** BATCH: a timer at the end of every window a new pane is in (see the class comment). */
  private void registerWindowEnds(long paneStart, Context ctx) {
    long slide = settings.slideMillis();
    for (long end = paneStart + slide; end <= paneStart + settings.windowMillis(); end += slide) {
      ctx.timerService().registerEventTimeTimer(end - 1);
    }
  }

  /**
   * Freezes the key's open panes before {@code paneStart} that the watermark has passed: a key whose windows
   * never report (a light account) would otherwise keep them open, and encoded at every checkpoint, until
   * they slide out. Newest first, down to the first frozen one: those before it froze when it did.
   */
  private void freezeClosedBefore(List<PaneTally> tallies, long paneStart, long watermark) throws Exception {
    for (int i = tallies.size() - 1; i >= 0; i--) {
      long start = tallies.get(i).getStart();
      if (start >= paneStart || start + settings.slideMillis() - 1 > watermark) {
        continue;
      }
      StoredPane stored = panes.get(start);
      if (!(stored instanceof StoredPane.Open)) {
        return;
      }
      panes.put(start, stored.toFrozen(paneBytes));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<WindowFeatures> out) throws Exception {
    KeyIndex key = index.value();
    if (key == null || (execution == Execution.STREAMING && key.getTimer() != timestamp)) {
      return;
    }
    long windowEnd = timestamp + 1;
    long windowStart = windowEnd - settings.windowMillis();
    List<PaneTally> tallies = key.getPanes();
    if (execution == Execution.BATCH || key.getTimerReports()) {
      if (batches && key.getPendingSince() != NONE_PENDING) {
        foldPendingCalls(key, windowStart, windowEnd, ctx.timerService().currentProcessingTime());
      }
      if (mayReport(tallies, windowEnd)) {
        List<FrozenPane> window = new ArrayList<>(tallies.size());
        for (PaneTally tally : tallies) {
          if (tally.getStart() >= windowStart && tally.getStart() < windowEnd) {
            // Its windows are being computed, so no call is due in it: frozen from now on.
            StoredPane stored = panes.get(tally.getStart());
            FrozenPane frozen = stored.toFrozen(paneBytes);
            if (frozen != stored) {
              panes.put(tally.getStart(), frozen);
            }
            window.add(frozen);
          }
        }
        WindowFeatures features = WindowCalculator.compute(space, keyName(ctx.getCurrentKey()), windowEnd, window,
            settings);
        if (features != null) {
          // Scored downstream, under the detection policy in force when the window ends.
          windowsReported.inc();
          out.collect(features);
        }
      }
    }
    long keepFrom = windowEnd + settings.slideMillis() - settings.windowMillis();
    // A new list rather than removeIf: state restored or copied by Avro holds lists that cannot remove
    // through an iterator.
    List<PaneTally> kept = new ArrayList<>(tallies.size());
    for (PaneTally tally : tallies) {
      if (tally.getStart() >= keepFrom) {
        kept.add(tally);
      } else {
        panes.remove(tally.getStart());
      }
    }
    if (batches && kept.size() < tallies.size() && key.getPendingSince() != NONE_PENDING) {
      dropPendingBefore(key, keepFrom);
    }
    key.setPanes(kept);
    key.setTimer(NO_TIMER);
    if (kept.isEmpty()) {
      index.clear();
      return;
    }
    if (execution == Execution.STREAMING) {
      schedule(key, ctx, timestamp);
    }
    index.update(key);
  }

  /**
   * Folds the key's pending calls of panes in {@code [from, before)} into their panes (a pane frozen
   * already is thawed for it) and freezes them, setting their tallies to what they hold; calls of panes
   * before {@code from} have left the window and are dropped. Calls of later panes stay pending; in a BATCH
   * backfill, whose timers all come after the key's last call, they are folded into open panes at once
   * instead, so that the key's other window ends do not each rewrite what is pending.
   */
  private void foldPendingCalls(KeyIndex key, long from, long before, long now) throws Exception {
    Iterable<CallBatch> pending = pendingCalls.get();
    if (pending == null) {
      key.setPendingSince(NONE_PENDING);
      return;
    }
    TreeMap<Long, Pane> folding = new TreeMap<>();
    CallBatch.Builder later = new CallBatch.Builder();
    boolean folded = false;
    for (CallBatch batch : pending) {
      for (int at = 0; at < batch.end(); at = batch.next(at)) {
        long start = paneStart(batch.eventTime(at));
        if (start >= before && execution == Execution.STREAMING) {
          later.add(batch, at);
          continue;
        }
        folded = true;
        if (start < from) {
          // Its pane has left the window: the windows it was in passed without a report.
          continue;
        }
        Pane into = folding.get(start);
        if (into == null) {
          StoredPane existing = panes.get(start);
          // Hashed: a fold inserts many calls at once, and the pane is frozen again straight after.
          into = existing == null ? Panes.empty(start, Panes.MemberMaps.HASHED)
              : existing.toOpen(paneBytes, Panes.MemberMaps.HASHED);
          folding.put(start, into);
        }
        callInput.setBuffer(batch.bytes(), at + 4, batch.length(at));
        Panes.add(into, paneBytes.readCallEvent(callInput), space, settings);
      }
    }
    if (!folded) {
      return;
    }
    for (Map.Entry<Long, Pane> pane : folding.entrySet()) {
      Pane whole = pane.getValue();
      panes.put(pane.getKey(),
          pane.getKey() < before ? FrozenPane.of(whole, paneBytes) : new StoredPane.Open(whole));
      PaneTally tally = tallyAt(key.getPanes(), pane.getKey());
      tally.setCount(whole.getCount());
      tally.setAccounts(whole.getAccounts().size());
    }
    if (later.calls() == 0) {
      pendingCalls.clear();
      key.setPendingSince(NONE_PENDING);
    } else {
      pendingCalls.update(List.of(later.build()));
      key.setPendingSince(now);
    }
  }

  /** Drops the pending calls of panes before {@code keepFrom}, whose last window has passed. */
  private void dropPendingBefore(KeyIndex key, long keepFrom) throws Exception {
    Iterable<CallBatch> pending = pendingCalls.get();
    if (pending == null) {
      key.setPendingSince(NONE_PENDING);
      return;
    }
    CallBatch.Builder kept = new CallBatch.Builder();
    boolean dropped = false;
    for (CallBatch batch : pending) {
      for (int at = 0; at < batch.end(); at = batch.next(at)) {
        if (paneStart(batch.eventTime(at)) >= keepFrom) {
          kept.add(batch, at);
        } else {
          dropped = true;
        }
      }
    }
    if (!dropped) {
      return;
    }
    if (kept.calls() == 0) {
      pendingCalls.clear();
      key.setPendingSince(NONE_PENDING);
    } else {
      pendingCalls.update(List.of(kept.build()));
    }
  }

  private static String keyName(Object key) {
    return key instanceof Long template ? TemplateBands.name(template) : key.toString();
  }

  /** The tally of the key's pane starting at {@code start}, created in order if missing. */
  private static PaneTally tallyAt(List<PaneTally> tallies, long start) {
    int i = tallies.size() - 1;
    while (i >= 0 && tallies.get(i).getStart() > start) {
      i--;
    }
    if (i >= 0 && tallies.get(i).getStart() == start) {
      return tallies.get(i);
    }
    PaneTally tally = new PaneTally(start, 0, 0);
    tallies.add(i + 1, tally);
    return tally;
  }

  /** Points the key's one timer at the next window end that may report, or else at its cleanup. */
  private void schedule(KeyIndex key, Context ctx, long watermark) {
    long slide = settings.slideMillis();
    List<PaneTally> panes = key.getPanes();
    long firstEnd = panes.get(0).getStart() + slide;
    long notBefore = (Math.floorDiv(watermark + 1, slide) + 1) * slide;
    long cleanupEnd = panes.get(panes.size() - 1).getStart() + settings.windowMillis();
    long next = cleanupEnd;
    boolean reports = false;
    // One pass over the window ends with running sums over the (start-ordered) panes: a key holding many
    // panes, as while the watermark lags, costs O(panes) per call rather than O(panes^2).
    int entering = 0;
    int leaving = 0;
    int requests = 0;
    int accountsUpperBound = 0;
    // Up to the cleanup itself: the window ending there holds the last pane alone and is reported like any
    // other (a BATCH backfill looks at it too).
    for (long end = Math.max(firstEnd, notBefore); end <= cleanupEnd; end += slide) {
      while (entering < panes.size() && panes.get(entering).getStart() < end) {
        requests += panes.get(entering).getCount();
        accountsUpperBound += panes.get(entering).getAccounts();
        entering++;
      }
      long windowStart = end - settings.windowMillis();
      while (leaving < entering && panes.get(leaving).getStart() < windowStart) {
        requests -= panes.get(leaving).getCount();
        accountsUpperBound -= panes.get(leaving).getAccounts();
        leaving++;
      }
      if (passesBound(requests, accountsUpperBound)) {
        next = end;
        reports = true;
        break;
      }
    }
    long timer = Math.max(next, notBefore) - 1;
    if (timer != key.getTimer()) {
      if (key.getTimer() != NO_TIMER) {
        ctx.timerService().deleteEventTimeTimer(key.getTimer());
      }
      ctx.timerService().registerEventTimeTimer(timer);
      key.setTimer(timer);
    }
    key.setTimerReports(reports);
  }

  /** A cheap upper bound on whether the window can pass its key space's minimum, before the full work. */
  private boolean mayReport(List<PaneTally> panes, long windowEnd) {
    long windowStart = windowEnd - settings.windowMillis();
    int requests = 0;
    int accountsUpperBound = 0;
    for (PaneTally pane : panes) {
      if (pane.getStart() >= windowStart && pane.getStart() < windowEnd) {
        requests += pane.getCount();
        accountsUpperBound += pane.getAccounts();
      }
    }
    return passesBound(requests, accountsUpperBound);
  }

  private boolean passesBound(int requests, int accountsUpperBound) {
    return switch (space) {
      case ACCOUNT -> requests >= policy.account().minRequests();
      case SUBNET -> requests >= policy.subnet().minRequests() && accountsUpperBound >= policy.subnet().minAccounts();
      case TEMPLATE -> requests >= 2 && accountsUpperBound >= policy.campaign().reportMinAccounts();
    };
  }
}
