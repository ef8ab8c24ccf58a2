package dev.distillguard.detector.decisions;

import dev.distillguard.contract.EntityType;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.Evidence;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.patterns.ScoringPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One entity's decision over time, keyed by {@code ENTITY_TYPE:entity_id}. Evidence from every pattern is
 * applied in event-time order (held until the watermark passes it, then sorted), so the decisions are the
 * same whichever pattern's match arrives first, live or in a backfill.
 *
 * <p>A decision covers everyone named while it is in force: new evidence widens it (more accounts, a
 * stronger action) and extends its expiry. The rate limiter keeps the latest record per entity, so every
 * record is the whole current decision. A new record is emitted when the decision widens or escalates,
 * or when its expiry would otherwise lapse within the next quarter of its lifetime; when it expires, the
 * entity's state is cleared.
 */
public final class DecisionLedger extends KeyedProcessFunction<String, Evidence, ThrottleDecision> {

  private static final long serialVersionUID = 1L;

  private static final Comparator<Evidence> APPLY_ORDER = Comparator
      .comparing(Evidence::getPattern)
      .thenComparing(Evidence::getWindowStart)
      .thenComparing(Evidence::getScore)
      .thenComparing(e -> String.join(",", e.getAccounts()))
      .thenComparing(e -> String.join(",", e.getReasons()));

  private final ScoringPolicy.ActionRules actions;
  private final int maxAccounts;
  private final String detectorVersion;

  private transient MapState<Long, List<Evidence>> pending;
  private transient ValueState<ThrottleDecision> inForce;
  private transient Counter emitted;

  public DecisionLedger(ScoringPolicy.ActionRules actions, int maxAccounts, String detectorVersion) {
    this.actions = actions;
    this.maxAccounts = maxAccounts;
    this.detectorVersion = detectorVersion;
  }

  public static String entityKey(Evidence evidence) {
    return entityType(evidence.getKeySpace()) + ":" + entityId(evidence);
  }

  static EntityType entityType(KeySpace space) {
    return switch (space) {
      case ACCOUNT -> EntityType.ACCOUNT;
      case SUBNET -> EntityType.SUBNET;
      case TEMPLATE -> EntityType.CAMPAIGN;
    };
  }

  static String entityId(Evidence evidence) {
    return evidence.getKeySpace() == KeySpace.TEMPLATE ? "campaign-" + evidence.getEntityId() : evidence.getEntityId();
  }

  @Override
  public void open(OpenContext openContext) {
    pending = getRuntimeContext().getMapState(Descriptors.pendingEvidence());
    inForce = getRuntimeContext().getState(Descriptors.decisionInForce());
    emitted = getRuntimeContext().getMetricGroup().counter("decisionsEmitted");
  }

  @Override
  public void processElement(Evidence evidence, Context ctx, Collector<ThrottleDecision> out) throws Exception {
    long at = evidence.getWindowEnd();
    List<Evidence> waiting = pending.get(at);
    if (waiting == null) {
      waiting = new ArrayList<>();
    }
    waiting.add(evidence);
    pending.put(at, waiting);
    ctx.timerService().registerEventTimeTimer(Math.max(at - 1, ctx.timerService().currentWatermark() + 1));
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ThrottleDecision> out) throws Exception {
    List<Long> due = new ArrayList<>();
    for (Long at : pending.keys()) {
      if (at - 1 <= timestamp) {
        due.add(at);
      }
    }
    due.sort(null);
    for (Long at : due) {
      List<Evidence> batch = new ArrayList<>(pending.get(at));
      pending.remove(at);
      batch.sort(APPLY_ORDER);
      for (Evidence evidence : batch) {
        apply(evidence, ctx, out);
      }
    }
    ThrottleDecision current = inForce.value();
    if (current != null && current.getExpiresAt().toEpochMilli() <= timestamp) {
      inForce.clear();
    }
  }

  private void apply(Evidence evidence, OnTimerContext ctx, Collector<ThrottleDecision> out) throws Exception {
    ThrottleAction earned = actions.actionFor(evidence.getScore());
    if (earned == null) {
      return;
    }
    ThrottleAction ceiling = ThrottleAction.valueOf(evidence.getMaxAction());
    ThrottleAction action = earned.compareTo(ceiling) > 0 ? ceiling : earned;
    long decidedAt = evidence.getWindowEnd();
    long ttl = actions.decisionTtl().toMillis();

    ThrottleDecision current = inForce.value();
    if (current != null && current.getExpiresAt().toEpochMilli() <= decidedAt) {
      current = null;
    }
    ThrottleDecision next = new ThrottleDecision();
    next.setEntityType(entityType(evidence.getKeySpace()));
    next.setEntityId(entityId(evidence));
    next.setDetectorVersion(detectorVersion);
    next.setDecidedAt(Instant.ofEpochMilli(decidedAt));
    next.setExpiresAt(Instant.ofEpochMilli(decidedAt + ttl));
    next.setWindowEnd(Instant.ofEpochMilli(evidence.getWindowEnd()));
    next.setReasons(new ArrayList<>(evidence.getReasons()));
    if (current == null) {
      next.setAction(action);
      next.setScore(evidence.getScore());
      next.setAccounts(capped(new TreeSet<>(evidence.getAccounts())));
      next.setSubnets(new ArrayList<>(new TreeSet<>(evidence.getSubnets())));
      next.setWindowStart(Instant.ofEpochMilli(evidence.getWindowStart()));
    } else {
      next.setAction(action.compareTo(current.getAction()) > 0 ? action : current.getAction());
      next.setScore(Math.max(evidence.getScore(), current.getScore()));
      TreeSet<String> accounts = new TreeSet<>(current.getAccounts());
      accounts.addAll(evidence.getAccounts());
      next.setAccounts(capped(accounts));
      TreeSet<String> subnets = new TreeSet<>(current.getSubnets());
      subnets.addAll(evidence.getSubnets());
      next.setSubnets(new ArrayList<>(subnets));
      next.setWindowStart(current.getWindowStart());
      if (!widensOrRenews(current, next, ttl)) {
        return;
      }
    }
    next.setMaxRequestsPerMinute(actions.requestsPerMinute(next.getAction()));
    next.setDecisionId(DecisionIds.idOf(next));
    if (current != null) {
      ctx.timerService().deleteEventTimeTimer(current.getExpiresAt().toEpochMilli());
    }
    ctx.timerService().registerEventTimeTimer(next.getExpiresAt().toEpochMilli());
    inForce.update(next);
    emitted.inc();
    out.collect(next);
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
