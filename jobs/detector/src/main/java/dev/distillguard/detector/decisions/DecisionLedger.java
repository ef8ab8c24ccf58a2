package dev.distillguard.detector.decisions;

import dev.distillguard.contract.EntityType;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.Evidence;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.policy.PolicyBook;
import dev.distillguard.detector.policy.PolicyRules;
import dev.distillguard.detector.patterns.ScoringPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;

/**
 * Decisions over time. Accounts and subnets are keyed by {@code ENTITY_TYPE:entity_id}. Campaigns share
 * one key: one template reaches the detector under several LSH band keys, and each band's evidence must
 * land on the same campaign, the one whose template centroid it is near. Evidence from every pattern is
 * applied in event-time order (held until the watermark passes it, then sorted), so decisions and
 * campaign ids are the same whichever match arrives first, live or in a backfill. Evidence that arrives
 * behind the watermark (an input back from idleness) is applied on arrival.
 *
 * <p>A decision covers everyone named while it is in force: new evidence widens it (more accounts, a
 * stronger action) and extends its expiry. The rate limiter keeps the latest record per entity, so every
 * record is the whole current decision. A new record is emitted when the decision widens or escalates,
 * or when its expiry would otherwise lapse within the next quarter of its lifetime; when it expires, its
 * state is cleared.
 *
 * <p>The detection policy in force when a window ends sets the score-to-action mapping, the rate limits,
 * the expiry and the allowlist: an allowlisted account, org or subnet is only ever reviewed, and campaign
 * decisions leave allowlisted accounts out.
 */
public final class DecisionLedger
    extends KeyedBroadcastProcessFunction<String, Evidence, DetectionPolicy, ThrottleDecision> {

  private static final long serialVersionUID = 1L;

  /** The key every campaign's evidence shares. Campaign evidence is a few records a minute at most. */
  static final String CAMPAIGNS = EntityType.CAMPAIGN.name();

  private static final Comparator<Evidence> APPLY_ORDER = Comparator
      .comparing(Evidence::getPattern)
      .thenComparing(Evidence::getEntityId)
      .thenComparing(Evidence::getWindowStart)
      .thenComparing(Evidence::getScore)
      .thenComparing(Evidence::getTemplateCentroid)
      .thenComparing(e -> String.join(",", e.getAccounts()))
      .thenComparing(e -> String.join(",", e.getReasons()));

  private final DetectorConfig config;
  private final int maxAccounts;
  private final int campaignRadiusBits;
  private final String detectorVersion;

  private transient MapState<Long, List<Evidence>> pending;
  private transient MapState<String, ThrottleDecision> inForce;
  private transient MapState<String, Long> campaignCentroids;
  private transient Counter emitted;
  private transient Counter behindWatermark;
  private transient Map<String, LongCounter> byTypeAndAction;
  private transient PolicyBook book;
  private transient Map<String, Counter> decisionCounters;

  /**
   * @param campaignRadiusBits template evidence within this many bits of a campaign's centroid belongs to
   *     that campaign
   */
  public DecisionLedger(DetectorConfig config, int maxAccounts, int campaignRadiusBits, String detectorVersion) {
    this.config = config;
    this.maxAccounts = maxAccounts;
    this.campaignRadiusBits = campaignRadiusBits;
    this.detectorVersion = detectorVersion;
  }

  /** The ledger key of a piece of evidence: its entity, or the shared campaign key. */
  public static String ledgerKey(Evidence evidence) {
    return evidence.getKeySpace() == KeySpace.TEMPLATE ? CAMPAIGNS
        : entityType(evidence.getKeySpace()) + ":" + evidence.getEntityId();
  }

  static EntityType entityType(KeySpace space) {
    return switch (space) {
      case ACCOUNT -> EntityType.ACCOUNT;
      case SUBNET -> EntityType.SUBNET;
      case TEMPLATE -> EntityType.CAMPAIGN;
    };
  }

  /** A campaign is named after the template centroid it was first seen with. */
  static String campaignId(long centroid) {
    return String.format(java.util.Locale.ROOT, "campaign-%016x", centroid);
  }

  @Override
  public void open(OpenContext openContext) {
    pending = getRuntimeContext().getMapState(Descriptors.pendingEvidence());
    inForce = getRuntimeContext().getMapState(Descriptors.decisionsInForce());
    campaignCentroids = getRuntimeContext().getMapState(Descriptors.campaignCentroids());
    emitted = getRuntimeContext().getMetricGroup().counter("decisionsEmitted");
    behindWatermark = getRuntimeContext().getMetricGroup().counter("evidenceBehindWatermark");
    book = new PolicyBook(config);
    byTypeAndAction = new java.util.HashMap<>();
    decisionCounters = new java.util.HashMap<>();
    for (EntityType type : EntityType.values()) {
      for (ThrottleAction action : ThrottleAction.values()) {
        LongCounter counter = new LongCounter();
        getRuntimeContext().addAccumulator(accumulatorName(type, action), counter);
        byTypeAndAction.put(accumulatorName(type, action), counter);
        // Labelled entity_type and action, registered up front so every series exists from the start.
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("decisions")
            .addGroup("entity_type", type.name()).addGroup("action", action.name());
        Counter decisions = group.counter("decisions");
        group.meter("decisionsPerSecond", new MeterView(decisions));
        decisionCounters.put(accumulatorName(type, action), decisions);
      }
    }
  }

  /** The accumulator counting decision records of one type and action, e.g. {@code decisions/CAMPAIGN/BLOCK}. */
  public static String accumulatorName(EntityType type, ThrottleAction action) {
    return "decisions/" + type + "/" + action;
  }

  @Override
  public void processElement(Evidence evidence, ReadOnlyContext ctx, Collector<ThrottleDecision> out)
      throws Exception {
    long at = evidence.getWindowEnd();
    List<Evidence> waiting = pending.get(at);
    if (waiting == null) {
      waiting = new ArrayList<>();
    }
    waiting.add(evidence);
    pending.put(at, waiting);
    long watermark = ctx.timerService().currentWatermark();
    if (at - 1 <= watermark) {
      // Already behind the watermark. Flink leaves idle inputs out of the watermark, and an input coming
      // back from idleness does not hold it back until it has caught up, so after a quiet spell evidence
      // can arrive after the watermark has passed its window. Waiting for the next watermark would strand
      // it for as long as the gateway stays quiet: it is applied now.
      behindWatermark.inc();
      applyDue(watermark, ctx.getBroadcastState(Descriptors.POLICIES), ctx.timerService(), out);
      return;
    }
    ctx.timerService().registerEventTimeTimer(at - 1);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ThrottleDecision> out) throws Exception {
    applyDue(timestamp, ctx.getBroadcastState(Descriptors.POLICIES), ctx.timerService(), out);
    List<String> expired = new ArrayList<>();
    for (Map.Entry<String, ThrottleDecision> entry : inForce.entries()) {
      if (entry.getValue().getExpiresAt().toEpochMilli() <= timestamp) {
        expired.add(entry.getKey());
      }
    }
    for (String entity : expired) {
      inForce.remove(entity);
      campaignCentroids.remove(entity);
    }
  }

  /** Applies the key's pending evidence of every window that ended by {@code upTo}, window by window. */
  private void applyDue(long upTo, ReadOnlyBroadcastState<Long, DetectionPolicy> policies, TimerService timers,
      Collector<ThrottleDecision> out) throws Exception {
    List<Long> due = new ArrayList<>();
    for (Long at : pending.keys()) {
      if (at - 1 <= upTo) {
        due.add(at);
      }
    }
    due.sort(null);
    for (Long at : due) {
      List<Evidence> batch = new ArrayList<>(pending.get(at));
      pending.remove(at);
      batch.sort(APPLY_ORDER);
      PolicyRules rules = book.at(at, policies);
      // All evidence of one window end first, then at most one record per entity.
      TreeMap<String, ThrottleDecision> staged = new TreeMap<>();
      for (Evidence evidence : batch) {
        stage(evidence, staged, rules);
      }
      for (ThrottleDecision candidate : staged.values()) {
        publish(candidate, timers, out, rules.scoring().actions());
      }
    }
  }

  /** Merges one piece of evidence into the entity's staged decision. */
  private void stage(Evidence evidence, Map<String, ThrottleDecision> staged, PolicyRules rules) throws Exception {
    ScoringPolicy.ActionRules actions = rules.scoring().actions();
    ThrottleAction earned = actions.actionFor(evidence.getScore());
    if (earned == null) {
      return;
    }
    ThrottleAction ceiling = ThrottleAction.valueOf(evidence.getMaxAction());
    ThrottleAction action = earned.compareTo(ceiling) > 0 ? ceiling : earned;
    long decidedAt = evidence.getWindowEnd();

    String entityId = entityIdOf(evidence, decidedAt, staged);
    ThrottleDecision base = staged.get(entityId);
    if (base == null) {
      base = inForceAt(entityId, decidedAt);
    }
    ThrottleDecision next = new ThrottleDecision();
    next.setEntityType(entityType(evidence.getKeySpace()));
    next.setEntityId(entityId);
    next.setDetectorVersion(detectorVersion);
    next.setDecidedAt(Instant.ofEpochMilli(decidedAt));
    next.setExpiresAt(Instant.ofEpochMilli(decidedAt + actions.decisionTtl().toMillis()));
    next.setWindowEnd(Instant.ofEpochMilli(evidence.getWindowEnd()));
    next.setReasons(new ArrayList<>(evidence.getReasons()));
    if (base == null) {
      next.setAction(action);
      next.setScore(evidence.getScore());
      next.setAccounts(capped(new TreeSet<>(evidence.getAccounts())));
      next.setSubnets(new ArrayList<>(new TreeSet<>(evidence.getSubnets())));
      next.setWindowStart(Instant.ofEpochMilli(evidence.getWindowStart()));
    } else {
      next.setAction(action.compareTo(base.getAction()) > 0 ? action : base.getAction());
      next.setScore(Math.max(evidence.getScore(), base.getScore()));
      if (evidence.getScore() < base.getScore()) {
        next.setReasons(base.getReasons());
      }
      TreeSet<String> accounts = new TreeSet<>(base.getAccounts());
      accounts.addAll(evidence.getAccounts());
      next.setAccounts(capped(accounts));
      TreeSet<String> subnets = new TreeSet<>(base.getSubnets());
      subnets.addAll(evidence.getSubnets());
      next.setSubnets(new ArrayList<>(subnets));
      next.setWindowStart(base.getWindowStart());
    }
    applyAllowlist(next, evidence, rules);
    staged.put(entityId, next);
  }

  /** Emits a staged decision if it is new, wider, stronger or due for renewal. */
  private void publish(ThrottleDecision next, TimerService timers, Collector<ThrottleDecision> out,
      ScoringPolicy.ActionRules actions) throws Exception {
    ThrottleDecision current = inForceAt(next.getEntityId(), next.getDecidedAt().toEpochMilli());
    if (current != null && !widensOrRenews(current, next, actions.decisionTtl().toMillis())) {
      return;
    }
    next.setMaxRequestsPerMinute(actions.requestsPerMinute(next.getAction()));
    next.setDecisionId(DecisionIds.idOf(next));
    ThrottleDecision previous = inForce.get(next.getEntityId());
    if (previous != null) {
      timers.deleteEventTimeTimer(previous.getExpiresAt().toEpochMilli());
    }
    timers.registerEventTimeTimer(next.getExpiresAt().toEpochMilli());
    inForce.put(next.getEntityId(), next);
    emitted.inc();
    byTypeAndAction.get(accumulatorName(next.getEntityType(), next.getAction())).add(1);
    decisionCounters.get(accumulatorName(next.getEntityType(), next.getAction())).inc();
    out.collect(next);
  }

  /**
   * An allowlisted account (by id or org) or subnet is reviewed, never throttled; a campaign keeps its
   * action but leaves allowlisted accounts out, so the rate limiter never acts on them.
   */
  private static void applyAllowlist(ThrottleDecision next, Evidence evidence, PolicyRules rules) {
    String why = "allowlisted by policy v" + rules.version() + " (" + rules.author() + ")";
    boolean allowed = switch (next.getEntityType()) {
      case ACCOUNT -> rules.allowsAccount(next.getEntityId(), evidence.getOrgId());
      case SUBNET -> rules.allowsSubnet(next.getEntityId());
      case CAMPAIGN -> false;
    };
    if (allowed) {
      if (next.getAction() != ThrottleAction.REVIEW) {
        next.setAction(ThrottleAction.REVIEW);
        List<String> reasons = new ArrayList<>(next.getReasons());
        reasons.add(0, why);
        next.setReasons(reasons);
      }
      return;
    }
    if (next.getEntityType() == EntityType.CAMPAIGN) {
      List<String> kept = new ArrayList<>(next.getAccounts().size());
      for (String account : next.getAccounts()) {
        if (!rules.allowsAccount(account, null)) {
          kept.add(account);
        }
      }
      if (kept.size() != next.getAccounts().size()) {
        next.setAccounts(kept);
      }
    }
  }

  @Override
  public void processBroadcastElement(DetectionPolicy policy, Context ctx, Collector<ThrottleDecision> out)
      throws Exception {
    book.accept(policy, ctx.getBroadcastState(Descriptors.POLICIES));
  }

  /** The entity's decision if it is still in force at {@code time}. */
  private ThrottleDecision inForceAt(String entityId, long time) throws Exception {
    ThrottleDecision decision = inForce.get(entityId);
    return decision == null || decision.getExpiresAt().toEpochMilli() <= time ? null : decision;
  }

  /**
   * The entity the evidence is about. For template evidence, the campaign in force whose centroid is
   * nearest within the radius (ties to the lower id), or a new campaign named after this centroid.
   */
  private String entityIdOf(Evidence evidence, long decidedAt, Map<String, ThrottleDecision> staged)
      throws Exception {
    if (evidence.getKeySpace() != KeySpace.TEMPLATE) {
      return evidence.getEntityId();
    }
    long centroid = evidence.getTemplateCentroid();
    String best = null;
    int bestDistance = campaignRadiusBits + 1;
    for (Map.Entry<String, Long> campaign : campaignCentroids.entries()) {
      if (!staged.containsKey(campaign.getKey()) && inForceAt(campaign.getKey(), decidedAt) == null) {
        continue;
      }
      int distance = Long.bitCount(campaign.getValue() ^ centroid);
      if (distance < bestDistance || (distance == bestDistance && best != null && campaign.getKey().compareTo(best) < 0)) {
        best = campaign.getKey();
        bestDistance = distance;
      }
    }
    if (best != null) {
      return best;
    }
    String id = campaignId(centroid);
    campaignCentroids.put(id, centroid);
    return id;
  }

  private static boolean widensOrRenews(ThrottleDecision current, ThrottleDecision next, long ttl) {
    return next.getAction() != current.getAction()
        || next.getAccounts().size() != current.getAccounts().size()
        || next.getSubnets().size() != current.getSubnets().size()
        || next.getExpiresAt().toEpochMilli() - current.getExpiresAt().toEpochMilli() >= ttl / 4;
  }

  private List<String> capped(TreeSet<String> accounts) {
    List<String> list = new ArrayList<>(Math.min(accounts.size(), maxAccounts));
    for (String account : accounts) {
      if (list.size() == maxAccounts) {
        break;
      }
      list.add(account);
    }
    return list;
  }
}
