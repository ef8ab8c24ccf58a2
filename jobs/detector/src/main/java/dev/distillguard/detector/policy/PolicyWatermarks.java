package dev.distillguard.detector.policy;

import dev.distillguard.detector.model.PolicyEnvelope;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The control stream never moves event time, forward or back. Every scorer and the ledger take the lesser
 * watermark of their active inputs, and a policy applies by the event time it names, not by when it was
 * read, so the control input declares itself idle. A watermark of its own would be wrong either way: a
 * low one would hold detection back, and a high one would carry the scorers past every window the moment
 * the gateway topic went quiet, so that the calls after the lull arrived late and were lost.
 */
public final class PolicyWatermarks implements WatermarkGenerator<PolicyEnvelope> {

  public static WatermarkStrategy<PolicyEnvelope> strategy() {
    return WatermarkStrategy.<PolicyEnvelope>forGenerator(context -> new PolicyWatermarks())
        .withTimestampAssigner((envelope, recordTimestamp) -> envelope.getTimestamp());
  }

  @Override
  public void onEvent(PolicyEnvelope event, long eventTimestamp, WatermarkOutput output) {
    output.markIdle();
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    output.markIdle();
  }
}
