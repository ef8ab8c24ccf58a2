package dev.distillguard.detector.ingest;

import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.CallEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sends each ingested record one way: usable calls on, dead letters and late calls to their side
 * outputs. The counters reconcile: read = processed + dead-lettered + late.
 *
 * <p>A call is late when the pane (slide) it falls in closed more than the allowed lateness ago: the
 * watermark has passed the pane's end plus the allowed lateness. A call within the allowed lateness
 * still counts in the windows not yet emitted.
 */
public final class IngestRouter extends ProcessFunction<Ingested, CallEvent> {

  private static final long serialVersionUID = 1L;

  private final long slideMillis;
  private final long allowedLatenessMillis;

  private transient Counter read;
  private transient Counter processed;
  private transient Counter deadLettered;
  private transient Counter late;

  public IngestRouter(Duration slide, Duration allowedLateness) {
    this.slideMillis = slide.toMillis();
    this.allowedLatenessMillis = allowedLateness.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    var metrics = getRuntimeContext().getMetricGroup().addGroup("ingest");
    read = metrics.counter("recordsRead");
    processed = metrics.counter("callsProcessed");
    deadLettered = metrics.counter("recordsDeadLettered");
    late = metrics.counter("callsLate");
  }

  @Override
  public void processElement(Ingested ingested, Context ctx, Collector<CallEvent> out) {
    read.inc();
    if (ingested.deadLetter != null) {
      deadLettered.inc();
      ctx.output(Descriptors.DEAD_LETTERS, ingested.deadLetter);
      return;
    }
    CallEvent call = ingested.event;
    long paneEnd = (Math.floorDiv(call.getEventTime(), slideMillis) + 1) * slideMillis;
    if (paneEnd - 1 + allowedLatenessMillis <= ctx.timerService().currentWatermark()) {
      late.inc();
      ctx.output(Descriptors.LATE_CALLS, call);
      return;
    }
    processed.inc();
    out.collect(call);
  }
}
