package dev.distillguard.detector;

import dev.distillguard.contract.DeadLetter;
import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.contract.PolicyStatus;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.decisions.DecisionLedger;
import dev.distillguard.detector.features.PaneSlicedFeatures;
import dev.distillguard.detector.features.TemplateBands;
import dev.distillguard.detector.features.TemplateBatcher;
import dev.distillguard.detector.features.TemplateCalls;
import dev.distillguard.detector.ingest.DuplicateFilter;
import dev.distillguard.detector.ingest.Ingested;
import dev.distillguard.detector.ingest.IngestRouter;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.Evidence;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.PolicyEnvelope;
import dev.distillguard.detector.policy.PolicyGate;
import dev.distillguard.detector.policy.PolicyScorer;
import dev.distillguard.detector.model.WindowFeatures;
import dev.distillguard.detector.patterns.ExtractionPatterns;
import dev.distillguard.detector.patterns.MatchToEvidence;
import dev.distillguard.detector.patterns.ScoringPolicy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The detector's dataflow, one definition for the live job, the backfill and the tests:
 *
 * <pre>
 * ingested ─► route ─► keyBy account ─► drop duplicates ─┬─► features ─► score ─► CEP sustained ───────────┐
 *   │                                        │           ├─► keyBy subnet ─► features ─► score ─┬─► CEP ─────┤
 *   │                                        │           │                                      └─► denylist ┤
 *   │                                        │           └─► LSH bands, ─► keyBy template ─► features ─►    │
 *   │                                        │               batched per key                                │
 *   ├─► dead letters                         └─► duplicate calls (counted)   score ─► CEP coordinated, ──┤
 *   └─► late calls (counted)                                                          replacement ───────┤
 *                                                               keyBy entity ─► decision ledger ◄────────┘
 *                                                                                       └─► decisions
 * policy records ─► gate (validate; status ─► audit trail) ─► broadcast to every score and the ledger
 * </pre>
 *
 * Each key space is shuffled once: the account features follow the duplicate filter, which is keyed by
 * account too, without a shuffle; the template band keys get batches of encoded calls, one record per key
 * per flush, not a copy of each call per band; scorers and pattern operators reuse their feature operator's
 * partitioning. Everything a detection policy changes is read by the scorers and the ledger, because CEP
 * patterns are fixed once the job starts.
 */
public final class DetectorTopology {

  private DetectorTopology() {}

  /** The streams the topology produces, for sinks and tests. */
  public record Outputs(
      DataStream<ThrottleDecision> decisions,
      DataStream<DeadLetter> deadLetters,
      DataStream<CallEvent> lateCalls,
      DataStream<CallEvent> duplicateCalls,
      DataStream<PolicyStatus> policyStatus,
      DataStream<WindowFeatures> accountFeatures,
      DataStream<WindowFeatures> subnetFeatures,
      DataStream<WindowFeatures> templateFeatures) {}

  /**
   * Wires the detector between its sources (gateway records, control records) and its sinks: decisions,
   * dead letters and the policy audit trail.
   */
  public static Outputs define(DataStream<Ingested> ingested, DataStream<PolicyEnvelope> policyRecords,
      Sink<ThrottleDecision> decisionSink, Sink<DeadLetter> deadLetterSink, Sink<PolicyStatus> policyStatusSink,
      DetectorConfig config) {
    Outputs outputs = define(ingested, policyRecords, config);
    outputs.decisions().sinkTo(decisionSink).uid("throttle-decisions-sink").name("throttle decisions sink");
    outputs.deadLetters().sinkTo(deadLetterSink).uid("dead-letters-sink").name("dead letters sink");
    outputs.policyStatus().sinkTo(policyStatusSink).uid("policy-status-sink").name("policy status sink");
    return outputs;
  }

  public static Outputs define(DataStream<Ingested> ingested, DataStream<PolicyEnvelope> policyRecords,
      DetectorConfig config) {
    SingleOutputStreamOperator<CallEvent> calls = ingested
        .process(new IngestRouter(config.features().slide(), config.eventTime().allowedLateness()),
            Descriptors.CALL_EVENT)
        .uid("ingest-router").name("route calls, dead letters and late calls");

    SingleOutputStreamOperator<DetectionPolicy> acceptedPolicies = policyRecords
        .keyBy(record -> PolicyGate.KEY, Types.INT)
        .process(new PolicyGate(config), Descriptors.DETECTION_POLICY)
        .uid("policy-gate").name("validate detection policies");
    BroadcastStream<DetectionPolicy> policies = acceptedPolicies.broadcast(Descriptors.POLICIES);

    ScoringPolicy scoring = config.scoring();
    boolean batch = config.mode() == DetectorConfig.Mode.BACKFILL
        && config.backfill().execution() == DetectorConfig.Execution.BATCH;
    PaneSlicedFeatures.Execution execution =
        batch ? PaneSlicedFeatures.Execution.BATCH : PaneSlicedFeatures.Execution.STREAMING;
    var slide = config.features().slide();
    SingleOutputStreamOperator<CallEvent> unique = calls
        .keyBy(CallEvent::getAccountId, Types.STRING)
        .process(new DuplicateFilter(config.ingest().duplicateHorizon(),
            config.ingest().retention(slide, config.eventTime().allowedLateness()), slide, batch),
            Descriptors.CALL_EVENT)
        .uid("duplicate-filter").name("drop duplicate request ids");
    DataStream<WindowFeatures> accountWindows = DataStreamUtils
        .reinterpretAsKeyedStream(unique, CallEvent::getAccountId, Types.STRING)
        .process(PaneSlicedFeatures.<String>ofCalls(KeySpace.ACCOUNT, config.features(), scoring, execution), Descriptors.WINDOW_FEATURES)
        .uid("account-features").name("account window features");
    DataStream<WindowFeatures> subnetWindows = unique
        .keyBy(CallEvent::getSubnet, Types.STRING)
        .process(PaneSlicedFeatures.<String>ofCalls(KeySpace.SUBNET, config.features(), scoring, execution), Descriptors.WINDOW_FEATURES)
        .uid("subnet-features").name("subnet window features");
    TemplateBands bands = new TemplateBands(config.templateBands());
    SingleOutputStreamOperator<WindowFeatures> templateWindows = unique
        .transform("template LSH bands, batched per key", TemplateCalls.TYPE,
            new TemplateBatcher(bands, config.features()))
        .uid("template-batcher")
        .keyBy(TemplateCalls::templateKey, Types.LONG)
        .process(PaneSlicedFeatures.ofBatches(config.features(), scoring, execution), Descriptors.WINDOW_FEATURES);
    templateWindows.uid("template-features").name("template window features");

    SingleOutputStreamOperator<WindowFeatures> accountFeatures = score(
        DataStreamUtils.reinterpretAsKeyedStream(accountWindows, WindowFeatures::getKey, Types.STRING),
        policies, config, "account");
    SingleOutputStreamOperator<WindowFeatures> subnetFeatures = score(
        DataStreamUtils.reinterpretAsKeyedStream(subnetWindows, WindowFeatures::getKey, Types.STRING),
        policies, config, "subnet");
    SingleOutputStreamOperator<WindowFeatures> templateFeatures = score(
        DataStreamUtils.reinterpretAsKeyedStream(templateWindows, f -> TemplateBands.parse(f.getKey()), Types.LONG),
        policies, config, "template");

    DetectorConfig.Patterns patterns = config.patterns();
    double review = scoring.actions().review();
    KeyedStream<WindowFeatures, String> byAccount =
        DataStreamUtils.reinterpretAsKeyedStream(accountFeatures, WindowFeatures::getKey, Types.STRING);
    KeyedStream<WindowFeatures, String> bySubnet =
        DataStreamUtils.reinterpretAsKeyedStream(subnetFeatures, WindowFeatures::getKey, Types.STRING);
    KeyedStream<WindowFeatures, Long> byTemplate =
        DataStreamUtils.reinterpretAsKeyedStream(templateFeatures, f -> TemplateBands.parse(f.getKey()), Types.LONG);

    DataStream<Evidence> accountEvidence = match(byAccount,
        ExtractionPatterns.sustained(patterns.sustainedWindows(), review, slide),
        ExtractionPatterns.SUSTAINED_EXTRACTION, ThrottleAction.BLOCK, "account-sustained-extraction");
    DataStream<Evidence> subnetEvidence = match(bySubnet,
        ExtractionPatterns.sustained(patterns.sustainedWindows(), review, slide),
        ExtractionPatterns.SUSTAINED_EXTRACTION, scoring.subnet().maxAction(), "subnet-sustained-extraction");
    DataStream<Evidence> campaignEvidence = match(byTemplate,
        ExtractionPatterns.coordinatedCampaign(patterns.campaignWindows(), review,
            scoring.campaign().minAccounts(), scoring.campaign().minSubnets(), slide),
        ExtractionPatterns.COORDINATED_CAMPAIGN, ThrottleAction.BLOCK, "template-coordinated-campaign");
    DataStream<Evidence> replacementEvidence = match(byTemplate,
        ExtractionPatterns.replacement(scoring.actions().throttle(), patterns.replacement()),
        ExtractionPatterns.REPLACEMENT, ThrottleAction.BLOCK, "template-replacement");
    DataStream<Evidence> denylisted = subnetFeatures.getSideOutput(Descriptors.DENYLIST_EVIDENCE);

    DataStream<ThrottleDecision> decisions = accountEvidence
        .union(subnetEvidence, campaignEvidence, replacementEvidence, denylisted)
        .keyBy(DecisionLedger::ledgerKey, Types.STRING)
        .connect(policies)
        .process(new DecisionLedger(config, patterns.maxAccountsPerDecision(),
            config.features().clusterRadiusBits(), config.detectorVersion()), Descriptors.THROTTLE_DECISION)
        .uid("decision-ledger").name("decision ledger");

    return new Outputs(decisions, calls.getSideOutput(Descriptors.DEAD_LETTERS),
        calls.getSideOutput(Descriptors.LATE_CALLS), unique.getSideOutput(Descriptors.DUPLICATE_CALLS),
        acceptedPolicies.getSideOutput(Descriptors.POLICY_STATUS), accountFeatures, subnetFeatures, templateFeatures);
  }

  /** Scores one key space's windows under the policy in force; same keys, no shuffle. */
  private static <K> SingleOutputStreamOperator<WindowFeatures> score(KeyedStream<WindowFeatures, K> windows,
      BroadcastStream<DetectionPolicy> policies, DetectorConfig config, String space) {
    return windows.connect(policies)
        .process(new PolicyScorer<K>(config), Descriptors.WINDOW_FEATURES)
        .uid(space + "-scorer").name(space + " scoring under the detection policy");
  }

  private static <K> DataStream<Evidence> match(KeyedStream<WindowFeatures, K> features,
      Pattern<WindowFeatures, WindowFeatures> pattern, String name, ThrottleAction maxAction, String uid) {
    return CEP.pattern(features, pattern)
        .inEventTime()
        .process(new MatchToEvidence(name, maxAction), Descriptors.EVIDENCE)
        .uid(uid).name(name + " (" + uid.substring(0, uid.indexOf('-')) + ")");
  }
}
