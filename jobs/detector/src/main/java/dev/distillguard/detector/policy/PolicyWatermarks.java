package dev.distillguard.detector.policy;

import dev.distillguard.detector.model.PolicyEnvelope;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The control stream never holds event time back. Every scorer and the ledger take the lesser watermark
 * of their two inputs; a policy applies by the event time it names, not by when it was read, so the
 * control input stands aside with the highest watermark short of end-of-input.
 */
public final class PolicyWatermarks implements WatermarkGenerator<PolicyEnvelope> {

  private static final long STAND_ASIDE = Long.MAX_VALUE - 1;

  public static WatermarkStrategy<PolicyEnvelope> strategy() {
    return WatermarkStrategy.<PolicyEnvelope>forGenerator(context -> new PolicyWatermarks())
        .withTimestampAssigner((envelope, recordTimestamp) -> envelope.getTimestamp());
  }

  @Override
  public void onEvent(PolicyEnvelope event, long eventTimestamp, WatermarkOutput output) {
    output.emitWatermark(new Watermark(STAND_ASIDE));
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    output.emitWatermark(new Watermark(STAND_ASIDE));
  }
}
