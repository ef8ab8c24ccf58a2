package dev.distillguard.detector.policy;

import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.model.Evidence;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.WindowFeatures;
import dev.distillguard.detector.patterns.Scoring;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Scores each window of one key space under the detection policy in force when it ends, and passes on
 * those worth a look to the CEP patterns. CEP patterns cannot change while a job runs, so everything a
 * policy may change lives here and in the decision ledger. A subnet on the policy's denylist (by network
 * or by an AS its traffic comes from) goes straight to the ledger as throttle evidence, without waiting
 * for a pattern.
 */
public final class PolicyScorer<K> extends KeyedBroadcastProcessFunction<K, WindowFeatures, DetectionPolicy,
    WindowFeatures> {

  private static final long serialVersionUID = 1L;

  /** The pattern name denylist evidence carries into decisions. */
  public static final String DENYLISTED = "denylisted";

  private final DetectorConfig config;
  private transient PolicyBook book;

  public PolicyScorer(DetectorConfig config) {
    this.config = config;
  }

  private PolicyBook book() {
    if (book == null) {
      book = new PolicyBook(config);
    }
    return book;
  }

  @Override
  public void processElement(WindowFeatures features, ReadOnlyContext ctx, Collector<WindowFeatures> out)
      throws Exception {
    PolicyRules rules = book().at(features.getWindowEnd(), ctx.getBroadcastState(Descriptors.POLICIES));
    Scoring.Assessment assessment = Scoring.assess(features, rules.scoring());
    features.setScore(assessment.reportable() ? assessment.score() : 0.0);
    features.setEvidence(assessment.evidence());
    if (features.getKeySpace() == KeySpace.SUBNET && rules.hasDenylist()) {
      String why = denied(features, rules);
      if (why != null) {
        ctx.output(Descriptors.DENYLIST_EVIDENCE, denylistEvidence(features, rules, why));
      }
    }
    if (assessment.reportable()) {
      out.collect(features);
    }
  }

  @Override
  public void processBroadcastElement(DetectionPolicy policy, Context ctx, Collector<WindowFeatures> out)
      throws Exception {
    book().accept(policy, ctx.getBroadcastState(Descriptors.POLICIES));
  }

  private static String denied(WindowFeatures features, PolicyRules rules) {
    if (rules.deniesSubnet(features.getKey())) {
      return "subnet " + features.getKey() + " is on the denylist";
    }
    for (String asn : features.getAsns()) {
      try {
        if (rules.deniesAsn(Integer.parseInt(asn))) {
          return "AS" + asn + " is on the denylist";
        }
      } catch (NumberFormatException ignored) {
        // not an AS number: nothing to match
      }
    }
    return null;
  }

  private static Evidence denylistEvidence(WindowFeatures features, PolicyRules rules, String why) {
    List<String> reasons = new ArrayList<>();
    reasons.add(DENYLISTED + ": " + why + " (policy v" + rules.version() + " by " + rules.author() + ")");
    reasons.addAll(features.getEvidence());
    Evidence evidence = new Evidence();
    evidence.setKeySpace(KeySpace.SUBNET);
    evidence.setEntityId(features.getKey());
    evidence.setPattern(DENYLISTED);
    evidence.setScore(Math.max(features.getScore(), rules.scoring().actions().throttle()));
    evidence.setReasons(reasons);
    evidence.setAccounts(new ArrayList<>(features.getAccounts()));
    evidence.setSubnets(new ArrayList<>(List.of(features.getKey())));
    evidence.setWindowStart(features.getWindowStart());
    evidence.setWindowEnd(features.getWindowEnd());
    evidence.setMaxAction(ThrottleAction.THROTTLE.name());
    evidence.setTemplateCentroid(0L);
    evidence.setOrgId(null);
    return evidence;
  }
}
