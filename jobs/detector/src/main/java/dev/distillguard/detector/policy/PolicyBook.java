package dev.distillguard.detector.policy;

import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.detector.config.DetectorConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;

/**
 * The accepted policies one operator instance knows, from its broadcast state, ready to apply: which one
 * is in force at an event time. Compiled once per version and kept until the state changes, so a record
 * costs a scan of a few entries, not a parse.
 */
public final class PolicyBook {

  /** Accepted policies kept: enough to score windows that close after a change, bounded regardless. */
  static final int KEEP = 16;

  private static final Comparator<PolicyRules> ORDER =
      Comparator.comparingLong(PolicyRules::effectiveFrom).thenComparingLong(PolicyRules::version);

  private final DetectorConfig config;
  private final PolicyRules configured;
  private List<PolicyRules> sorted;

  public PolicyBook(DetectorConfig config) {
    this.config = config;
    this.configured = PolicyRules.configured(config);
  }

  /** The policy in force for a window ending at {@code windowEnd}: the latest that took effect before it. */
  public PolicyRules at(long windowEnd, ReadOnlyBroadcastState<Long, DetectionPolicy> state) throws Exception {
    if (sorted == null) {
      List<PolicyRules> rules = new ArrayList<>();
      for (Map.Entry<Long, DetectionPolicy> entry : state.immutableEntries()) {
        rules.add(PolicyRules.compile(entry.getValue(), config));
      }
      rules.sort(ORDER);
      sorted = rules;
    }
    PolicyRules inForce = configured;
    for (PolicyRules rules : sorted) {
      if (rules.effectiveFrom() < windowEnd) {
        inForce = rules;
      }
    }
    return inForce;
  }

  /** Adds an accepted policy (the gate has checked it) and forgets the oldest beyond {@link #KEEP}. */
  public void accept(DetectionPolicy policy, BroadcastState<Long, DetectionPolicy> state) throws Exception {
    state.put(policy.getVersion(), policy);
    List<Long> versions = new ArrayList<>();
    for (Map.Entry<Long, DetectionPolicy> entry : state.entries()) {
      versions.add(entry.getKey());
    }
    versions.sort(null);
    for (int i = 0; i < versions.size() - KEEP; i++) {
      state.remove(versions.get(i));
    }
    sorted = null;
  }
}
