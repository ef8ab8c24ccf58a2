package dev.distillguard.detector;

import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.contract.PolicyStatus;
import dev.distillguard.detector.model.PolicyEnvelope;

import dev.distillguard.contract.DeadLetter;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.features.Panes;
import dev.distillguard.detector.features.CallBatch;
import dev.distillguard.detector.features.RecordBytes;
import dev.distillguard.detector.features.StoredPane;
import dev.distillguard.detector.features.StoredPaneSerializer;
import dev.distillguard.detector.ingest.Calls;
import dev.distillguard.detector.ingest.RequestIdBucket;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.Evidence;
import dev.distillguard.detector.model.KeyIndex;
import dev.distillguard.detector.model.WindowFeatures;
import java.util.List;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/**
 * Every state descriptor and side output of the job, declared once. State names are part of savepoints:
 * renaming one loses that state on upgrade.
 */
public final class Descriptors {

  private Descriptors() {}

  /** Avro's bytes, written and read by hand (see {@link HandCodedTypeInfo}), as the next. */
  public static final HandCodedTypeInfo<CallEvent> CALL_EVENT =
      new HandCodedTypeInfo<>(CallEvent.class, Calls::copy, RecordBytes::write, RecordBytes::readCallEvent);
  public static final AvroTypeInfo<WindowFeatures> WINDOW_FEATURES = new AvroTypeInfo<>(WindowFeatures.class);
  public static final AvroTypeInfo<Evidence> EVIDENCE = new AvroTypeInfo<>(Evidence.class);
  public static final AvroTypeInfo<DeadLetter> DEAD_LETTER = new AvroTypeInfo<>(DeadLetter.class);
  public static final AvroTypeInfo<ThrottleDecision> THROTTLE_DECISION = new AvroTypeInfo<>(ThrottleDecision.class);

  public static final AvroTypeInfo<DetectionPolicy> DETECTION_POLICY = new AvroTypeInfo<>(DetectionPolicy.class);
  public static final AvroTypeInfo<PolicyStatus> POLICY_STATUS_TYPE = new AvroTypeInfo<>(PolicyStatus.class);
  public static final AvroTypeInfo<PolicyEnvelope> POLICY_ENVELOPE = new AvroTypeInfo<>(PolicyEnvelope.class);

  /**
   * The accepted detection policies, by version, broadcast to every scorer and the decision ledger. Part
   * of every savepoint: the policy in force survives restarts and upgrades.
   */
  public static final MapStateDescriptor<Long, DetectionPolicy> POLICIES =
      new MapStateDescriptor<>("detection-policies", Types.LONG, DETECTION_POLICY);

  /** The gate's verdict on each control record: the audit trail. */
  public static final OutputTag<PolicyStatus> POLICY_STATUS = new OutputTag<>("policy-status", POLICY_STATUS_TYPE);

  /** Subnets a policy denylists, straight to the ledger as throttle evidence. */
  public static final OutputTag<Evidence> DENYLIST_EVIDENCE = new OutputTag<>("denylist-evidence", EVIDENCE);

  /** The latest accepted policy, which the next must succeed. */
  public static ValueStateDescriptor<DetectionPolicy> policyInForce() {
    return new ValueStateDescriptor<>("policy-in-force", DETECTION_POLICY);
  }

  /** Records the gateway topic held that could not be used, with the reason. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", DEAD_LETTER);

  /** Calls that arrived after the windows they belong to had closed. */
  public static final OutputTag<CallEvent> LATE_CALLS = new OutputTag<>("late-calls", CALL_EVENT);

  /** Calls dropped because the same account sent the same request id within the duplicate horizon. */
  public static final OutputTag<CallEvent> DUPLICATE_CALLS = new OutputTag<>("duplicate-calls", CALL_EVENT);

  /**
   * An account's recent request ids with their event times, by granule of event time (the granule's
   * number to its bucket); gone when the account goes quiet.
   */
  public static MapStateDescriptor<Long, RequestIdBucket> requestIdBuckets() {
    return new MapStateDescriptor<>("request-id-buckets", LongSerializer.INSTANCE, RequestIdBucket.Serializer.INSTANCE);
  }

  /**
   * The ids of an account's full buckets beyond their capacity, one entry each (64-bit hash to event
   * time). The state all ids were kept in before the buckets: a savepoint taken then restores into it.
   */
  public static MapStateDescriptor<Long, Long> spilledRequestIds() {
    return new MapStateDescriptor<>("recent-request-ids", Types.LONG, Types.LONG);
  }

  /**
   * A key's pane tallies and its one timer; gone when the key goes quiet. Avro's bytes, coded by hand (see
   * {@link HandCodedAvroSerializer}).
   */
  public static ValueStateDescriptor<KeyIndex> keyIndex() {
    return new ValueStateDescriptor<>("key-index",
        new HandCodedAvroSerializer<KeyIndex>(KeyIndex.class, Panes::copy, RecordBytes::write,
            RecordBytes::readKeyIndex));
  }

  /**
   * A key's panes by start, one entry each, open or frozen; gone when the key goes quiet. Avro's bytes,
   * coded by hand.
   */
  public static MapStateDescriptor<Long, StoredPane> keyPanes() {
    return new MapStateDescriptor<>("key-panes-by-start", LongSerializer.INSTANCE, new StoredPaneSerializer());
  }

  /**
   * A template band key's calls as the batchers sent them, until their pane's first window folds them; gone
   * when the key goes quiet.
   */
  public static ListStateDescriptor<CallBatch> pendingTemplateCalls() {
    return new ListStateDescriptor<>("template-pending-calls", CallBatch.Serializer.INSTANCE);
  }

  /** Evidence waiting for the watermark, so the ledger applies it in event-time order. */
  public static MapStateDescriptor<Long, List<Evidence>> pendingEvidence() {
    return new MapStateDescriptor<>("pending-evidence", Types.LONG, Types.LIST(EVIDENCE));
  }

  /** The decisions in force under a ledger key, by entity id, until they expire. */
  public static MapStateDescriptor<String, ThrottleDecision> decisionsInForce() {
    return new MapStateDescriptor<>("decisions-in-force", Types.STRING, THROTTLE_DECISION);
  }

  /** The template centroid each campaign in force was first seen with. */
  public static MapStateDescriptor<String, Long> campaignCentroids() {
    return new MapStateDescriptor<>("campaign-centroids", Types.STRING, Types.LONG);
  }
}
