package dev.distillguard.detector.policy;

import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.contract.PolicyOutcome;
import dev.distillguard.contract.PolicyStatus;
import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.model.PolicyEnvelope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The one place policies are judged: every control record is decoded and validated against the policy in
 * force, and either passes on (to be broadcast to every scorer and the decision ledger) or is refused.
 * Both outcomes go to the status topic with the reasons or the changes, so the topic is the audit trail.
 * It runs under one constant key: policies are few, and one judge sees them in one order.
 */
public final class PolicyGate extends KeyedProcessFunction<Integer, PolicyEnvelope, DetectionPolicy> {

  private static final long serialVersionUID = 1L;

  /** The key every control record is judged under. */
  public static final int KEY = 0;

  private final DetectorConfig config;
  private transient ValueState<DetectionPolicy> inForce;
  private transient Counter accepted;
  private transient Counter rejected;

  public PolicyGate(DetectorConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext openContext) {
    inForce = getRuntimeContext().getState(Descriptors.policyInForce());
    accepted = getRuntimeContext().getMetricGroup().counter("policiesAccepted");
    rejected = getRuntimeContext().getMetricGroup().counter("policiesRejected");
  }

  @Override
  public void processElement(PolicyEnvelope envelope, Context ctx, Collector<DetectionPolicy> out) throws Exception {
    DetectionPolicy current = inForce.value();
    long currentVersion = current == null ? 0 : current.getVersion();
    DetectionPolicy candidate;
    try {
      if (envelope.getValue() == null) {
        throw new IllegalArgumentException("the record has no value");
      }
      byte[] bytes = new byte[envelope.getValue().remaining()];
      envelope.getValue().duplicate().get(bytes);
      candidate = AvroBinary.decode(bytes, DetectionPolicy.class);
    } catch (RuntimeException e) {
      rejected.inc();
      ctx.output(Descriptors.POLICY_STATUS, status(envelope, null, PolicyOutcome.REJECTED,
          List.of("undecodable: not a DetectionPolicy in Avro binary (" + e.getMessage() + ")"), List.of(),
          currentVersion));
      return;
    }
    if (candidate.getEffectiveFrom() == null) {
      candidate.setEffectiveFrom(Instant.ofEpochMilli(envelope.getTimestamp()));
    }
    List<String> reasons = new ArrayList<>();
    PolicyRules rules = null;
    try {
      rules = PolicyRules.compile(candidate, config);
    } catch (PolicyRules.PolicyRejected e) {
      reasons.addAll(e.reasons());
    }
    if (candidate.getVersion() <= currentVersion) {
      reasons.add("version " + candidate.getVersion() + " is not above the version in force, " + currentVersion);
    }
    if (current != null && candidate.getEffectiveFrom().isBefore(current.getEffectiveFrom())) {
      reasons.add("effective_from " + candidate.getEffectiveFrom() + " is before that of the policy in force ("
          + current.getEffectiveFrom() + "): history is not rewritten");
    }
    if (!reasons.isEmpty()) {
      rejected.inc();
      ctx.output(Descriptors.POLICY_STATUS,
          status(envelope, candidate, PolicyOutcome.REJECTED, reasons, List.of(), currentVersion));
      return;
    }
    PolicyRules previous = current == null ? PolicyRules.configured(config) : PolicyRules.compile(current, config);
    List<String> changes = PolicyRules.changes(previous, rules, current, candidate);
    inForce.update(candidate);
    accepted.inc();
    ctx.output(Descriptors.POLICY_STATUS,
        status(envelope, candidate, PolicyOutcome.ACCEPTED, List.of(), changes, candidate.getVersion()));
    out.collect(candidate);
  }

  private PolicyStatus status(PolicyEnvelope envelope, DetectionPolicy policy, PolicyOutcome outcome,
      List<String> reasons, List<String> changes, long versionInForce) {
    return PolicyStatus.newBuilder()
        .setOutcome(outcome)
        .setVersion(policy == null ? null : policy.getVersion())
        .setAuthor(policy == null ? null : policy.getAuthor())
        .setReasons(new ArrayList<>(reasons))
        .setChanges(new ArrayList<>(changes))
        .setEffectiveFrom(policy == null ? null : policy.getEffectiveFrom())
        .setReceivedAt(Instant.ofEpochMilli(envelope.getTimestamp()))
        .setSourcePartition(envelope.getPartition())
        .setSourceOffset(envelope.getOffset())
        .setVersionInForce(versionInForce)
        .setPolicy(policy)
        .setDetectorVersion(config.detectorVersion())
        .build();
  }
}
