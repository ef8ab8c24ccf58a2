package dev.distillguard.detector.features;

import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.WindowFeatures;
import dev.distillguard.detector.patterns.Scoring;
import dev.distillguard.detector.patterns.ScoringPolicy;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sliding-window features of one key space, pane-sliced: each call updates the one pane (slide) it falls
 * in, and at every window end the key's panes in the window are combined, scored and, when the key space
 * says the window is worth a look, emitted. Memory per key is the panes of one window; a key with no call
 * for a whole window leaves no state and no timer.
 *
 * <p>One timer per window end, at {@code end - 1}, like Flink's own windows: the window is complete when
 * the watermark reaches its last millisecond.
 */
public class PaneSlicedFeatures<K> extends KeyedProcessFunction<K, CallEvent, WindowFeatures> {

  private static final long serialVersionUID = 1L;

  private final KeySpace space;
  private final FeatureSettings settings;
  private final ScoringPolicy policy;

  private transient MapState<Long, Pane> panes;
  private transient Counter droppedLate;

  public PaneSlicedFeatures(KeySpace space, FeatureSettings settings, ScoringPolicy policy) {
    this.space = space;
    this.settings = settings;
    this.policy = policy;
  }

  @Override
  public void open(OpenContext openContext) {
    panes = getRuntimeContext().getMapState(Descriptors.panes());
    droppedLate = getRuntimeContext().getMetricGroup().counter("droppedLateCalls");
  }

  @Override
  public void processElement(CallEvent call, Context ctx, Collector<WindowFeatures> out) throws Exception {
    long slide = settings.slideMillis();
    long paneStart = Math.floorDiv(call.getEventTime(), slide) * slide;
    long watermark = ctx.timerService().currentWatermark();
    if (paneStart + settings.windowMillis() - 1 <= watermark) {
      // Every window this call belongs to has been emitted. The ingest stage diverts such calls to the
      // late output first, so this only counts what slipped past it.
      droppedLate.inc();
      return;
    }
    Pane pane = panes.get(paneStart);
    if (pane == null) {
      pane = Panes.empty();
    }
    Panes.add(pane, call, space, paneStart, settings);
    panes.put(paneStart, pane);

    long firstEnd = paneStart + slide;
    if (firstEnd - 1 <= watermark) {
      // Late for its own pane but inside later windows: it counts from the next window still to come.
      firstEnd = (Math.floorDiv(watermark + 1, slide) + 1) * slide;
    }
    ctx.timerService().registerEventTimeTimer(firstEnd - 1);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<WindowFeatures> out) throws Exception {
    long windowEnd = timestamp + 1;
    long slide = settings.slideMillis();
    TreeMap<Long, Pane> byStart = new TreeMap<>();
    long keepFrom = windowEnd + slide - settings.windowMillis();
    Iterator<Map.Entry<Long, Pane>> it = panes.iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Pane> entry = it.next();
      byStart.put(entry.getKey(), entry.getValue());
    }

    if (mayReport(byStart, windowEnd)) {
      WindowFeatures features = WindowCalculator.compute(space, keyName(ctx.getCurrentKey()), windowEnd, byStart,
          settings);
      if (features != null) {
        Scoring.Assessment assessment = Scoring.assess(features, policy);
        if (assessment.reportable()) {
          features.setScore(assessment.score());
          features.setEvidence(assessment.evidence());
          out.collect(features);
        }
      }
    }

    boolean remaining = false;
    for (Long start : byStart.keySet()) {
      if (start < keepFrom) {
        panes.remove(start);
      } else {
        remaining = true;
      }
    }
    if (remaining) {
      ctx.timerService().registerEventTimeTimer(windowEnd + slide - 1);
    }
  }

  /** A cheap upper bound on whether the window can pass its key space's minimum, before the full work. */
  private boolean mayReport(TreeMap<Long, Pane> byStart, long windowEnd) {
    long windowStart = windowEnd - settings.windowMillis();
    int requests = 0;
    int accountsUpperBound = 0;
    for (Pane pane : byStart.subMap(windowStart, windowEnd).values()) {
      requests += pane.getCount();
      accountsUpperBound += pane.getAccounts().size();
    }
    return switch (space) {
      case ACCOUNT -> requests >= policy.account().minRequests();
      case SUBNET -> requests >= policy.subnet().minRequests() && accountsUpperBound >= policy.subnet().minAccounts();
      case TEMPLATE -> requests >= 2 && accountsUpperBound >= policy.campaign().reportMinAccounts();
    };
  }

  private static String keyName(Object key) {
    return key instanceof Long template ? TemplateBands.name(template) : key.toString();
  }
}
