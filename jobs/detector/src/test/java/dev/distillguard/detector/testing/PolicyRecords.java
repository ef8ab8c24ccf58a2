package dev.distillguard.detector.testing;

import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.PolicyEnvelope;
import dev.distillguard.detector.policy.PolicyWatermarks;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** A control stream for tests, as the job's policy source would deliver it. */
public final class PolicyRecords {

  private PolicyRecords() {}

  /** Control records holding {@code policies}, published at {@code publishedAt} each, in order. */
  public static DataStream<PolicyEnvelope> stream(StreamExecutionEnvironment env, long publishedAt,
      DetectionPolicy... policies) {
    List<PolicyEnvelope> records = new ArrayList<>();
    for (int i = 0; i < policies.length; i++) {
      records.add(new PolicyEnvelope(ByteBuffer.wrap(AvroBinary.encode(policies[i])), 0, (long) i, publishedAt));
    }
    DataStream<PolicyEnvelope> source = records.isEmpty()
        // fromData refuses an empty collection: a sequence of one number, filtered away, is an empty stream.
        ? env.fromSequence(0, 0).setParallelism(1).uid("test-policies")
            .filter(n -> false).setParallelism(1).uid("test-no-policies")
            .map(n -> (PolicyEnvelope) null, Descriptors.POLICY_ENVELOPE).setParallelism(1).uid("test-policy-type")
        : env.fromData(records, Descriptors.POLICY_ENVELOPE).setParallelism(1).uid("test-policies");
    return source
        .assignTimestampsAndWatermarks(PolicyWatermarks.strategy()).setParallelism(1).uid("test-policy-watermarks");
  }
}
