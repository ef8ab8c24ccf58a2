package dev.distillguard.detector.ingest;

import dev.distillguard.detector.config.DetectorConfig;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Bounded out-of-orderness over valid calls only: a dead letter's timestamp is whatever the broken record
 * claims and must not move event time.
 */
public final class IngestWatermarks implements WatermarkGenerator<Ingested> {

  private final long outOfOrdernessMillis;
  private long maxTimestamp;

  IngestWatermarks(Duration outOfOrderness) {
    this.outOfOrdernessMillis = outOfOrderness.toMillis();
    this.maxTimestamp = Long.MIN_VALUE + outOfOrdernessMillis + 1;
  }

  /** The gateway source's strategy; every source of gateway calls in one job shares one alignment group. */
  public static WatermarkStrategy<Ingested> strategy(DetectorConfig.EventTime eventTime) {
    return WatermarkStrategy.<Ingested>forGenerator(context -> new IngestWatermarks(eventTime.outOfOrderness()))
        .withTimestampAssigner((ingested, recordTimestamp) ->
            ingested.event != null ? ingested.event.getEventTime() : recordTimestamp)
        .withIdleness(eventTime.idleness())
        .withWatermarkAlignment(ALIGNMENT_GROUP, eventTime.alignmentMaxDrift(), Duration.ofMillis(250));
  }

  static final String ALIGNMENT_GROUP = "gateway-calls";

  @Override
  public void onEvent(Ingested ingested, long eventTimestamp, WatermarkOutput output) {
    if (ingested.event != null) {
      maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
    }
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    output.emitWatermark(new Watermark(maxTimestamp - outOfOrdernessMillis - 1));
  }
}
