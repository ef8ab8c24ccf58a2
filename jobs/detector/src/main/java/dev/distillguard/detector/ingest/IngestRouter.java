package dev.distillguard.detector.ingest;

import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.CallEvent;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sends each ingested record one way: usable calls on (to the {@link DuplicateFilter}), dead letters and
 * late calls to their side outputs. With the filter's counts, every record read is accounted for once:
 * read = processed + dead-lettered + duplicate + late, as metrics and as accumulators.
 *
 * <p>A call is late when the pane (slide) it falls in closed more than the allowed lateness ago: the
 * watermark has passed the pane's end plus the allowed lateness. A call within the allowed lateness
 * still counts in the windows not yet emitted.
 */
public final class IngestRouter extends ProcessFunction<Ingested, CallEvent> {

  private static final long serialVersionUID = 1L;

  private final long slideMillis;
  private final long allowedLatenessMillis;

  /** Accumulator names: the same counts, for the client that submitted the job (backfill progress). */
  public static final String READ = "records-read";
  public static final String DEAD_LETTERED = "records-dead-lettered";
  public static final String LATE = "calls-late";

  private transient Counter read;
  private transient Counter deadLettered;
  private transient Map<RejectReason, Counter> deadLettersByReason;
  private transient Counter late;
  private transient LongCounter readTotal;
  private transient LongCounter deadLetteredTotal;
  private transient LongCounter lateTotal;

  public IngestRouter(Duration slide, Duration allowedLateness) {
    this.slideMillis = slide.toMillis();
    this.allowedLatenessMillis = allowedLateness.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("ingest");
    read = metrics.counter("recordsRead");
    metrics.meter("recordsReadPerSecond", new MeterView(read));
    deadLettered = metrics.counter("recordsDeadLettered");
    late = metrics.counter("callsLate");
    metrics.meter("callsLatePerSecond", new MeterView(late));
    // Every reason from the start, so a graph or an alert on one reads 0 rather than nothing.
    deadLettersByReason = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : RejectReason.values()) {
      deadLettersByReason.put(reason, metrics.addGroup("reason", reason.name()).counter("deadLetters"));
    }
    readTotal = accumulator(READ);
    deadLetteredTotal = accumulator(DEAD_LETTERED);
    lateTotal = accumulator(LATE);
  }

  private LongCounter accumulator(String name) {
    LongCounter counter = new LongCounter();
    getRuntimeContext().addAccumulator(name, counter);
    return counter;
  }

  @Override
  public void processElement(Ingested ingested, Context ctx, Collector<CallEvent> out) {
    read.inc();
    readTotal.add(1);
    if (ingested.deadLetter != null) {
      deadLettered.inc();
      deadLetteredTotal.add(1);
      deadLettersByReason.get(RejectReason.valueOf(ingested.deadLetter.getReason())).inc();
      ctx.output(Descriptors.DEAD_LETTERS, ingested.deadLetter);
      return;
    }
    CallEvent call = ingested.event;
    long paneEnd = (Math.floorDiv(call.getEventTime(), slideMillis) + 1) * slideMillis;
    if (paneEnd - 1 + allowedLatenessMillis <= ctx.timerService().currentWatermark()) {
      late.inc();
      lateTotal.add(1);
      ctx.output(Descriptors.LATE_CALLS, call);
      return;
    }
    out.collect(call);
  }
}
