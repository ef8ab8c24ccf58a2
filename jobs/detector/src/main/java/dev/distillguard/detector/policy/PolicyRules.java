package dev.distillguard.detector.policy;

import dev.distillguard.contract.ActionPolicy;
import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.contract.FeatureThreshold;
import dev.distillguard.contract.KeySpaceMinimum;
import dev.distillguard.detector.config.ConfigException;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.config.Settings;
import dev.distillguard.detector.patterns.ScoringPolicy;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A detection policy made ready to apply: the job's configured settings with the policy's on top, run
 * through the same parser as a configuration file, plus its allowlist and denylist. Version 0 is the
 * job's configuration with empty lists.
 */
public final class PolicyRules implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Minimums a policy may raise, by key space, as the settings they override. */
  private static final Map<String, String> MINIMUMS = Map.of(
      "ACCOUNT/min-requests", "account.min-requests",
      "CAMPAIGN/report-min-accounts", "campaign.report-min-accounts",
      "CAMPAIGN/min-accounts", "campaign.min-accounts",
      "CAMPAIGN/min-subnets", "campaign.min-subnets",
      "SUBNET/min-accounts", "subnet.min-accounts",
      "SUBNET/min-requests", "subnet.min-requests");

  private final long version;
  private final String author;
  private final long effectiveFrom;
  private final Map<String, String> overrides;
  private final ScoringPolicy scoring;
  private final Set<String> allowedAccounts;
  private final Set<String> allowedOrgs;
  private final List<Cidr> allowedSubnets;
  private final List<Cidr> deniedSubnets;
  private final Set<Integer> deniedAsns;

  private PolicyRules(long version, String author, long effectiveFrom, Map<String, String> overrides,
      ScoringPolicy scoring, Set<String> allowedAccounts, Set<String> allowedOrgs, List<Cidr> allowedSubnets,
      List<Cidr> deniedSubnets, Set<Integer> deniedAsns) {
    this.version = version;
    this.author = author;
    this.effectiveFrom = effectiveFrom;
    this.overrides = overrides;
    this.scoring = scoring;
    this.allowedAccounts = allowedAccounts;
    this.allowedOrgs = allowedOrgs;
    this.allowedSubnets = allowedSubnets;
    this.deniedSubnets = deniedSubnets;
    this.deniedAsns = deniedAsns;
  }

  /** The job's own configuration, in force until a policy is accepted. */
  public static PolicyRules configured(DetectorConfig config) {
    return new PolicyRules(0, "configuration", Long.MIN_VALUE, Map.of(), config.scoring(), Set.of(), Set.of(),
        List.of(), List.of(), Set.of());
  }

  /**
   * Checks {@code policy} and makes it ready, or throws with every reason it is refused.
   *
   * @param config the job's configuration: the base every policy overrides, and the floor of its minimums
   */
  public static PolicyRules compile(DetectionPolicy policy, DetectorConfig config) {
    List<String> reasons = new ArrayList<>();
    if (policy.getVersion() <= 0) {
      reasons.add("version must be positive, was " + policy.getVersion());
    }
    if (policy.getAuthor() == null || policy.getAuthor().isBlank()) {
      reasons.add("author must be given");
    }
    Map<String, String> overrides = overrides(policy, config, reasons);
    ScoringPolicy scoring = config.scoring();
    if (reasons.isEmpty()) {
      try {
        Settings settings = Settings.copyOf(config.settings()).with(overrides);
        scoring = DetectorConfig.scoring(settings);
      } catch (ConfigException | IllegalArgumentException e) {
        reasons.add(e.getMessage());
      }
    }
    List<Cidr> allowedSubnets = cidrs("allowlist.subnets", policy.getAllowlist().getSubnets(), reasons);
    List<Cidr> deniedSubnets = cidrs("denylist.subnets", policy.getDenylist().getSubnets(), reasons);
    Set<Integer> asns = new TreeSet<>();
    for (Integer asn : policy.getDenylist().getAsns()) {
      if (asn == null || asn <= 0) {
        reasons.add("denylist.asns: " + asn + " is not an AS number");
      } else {
        asns.add(asn);
      }
    }
    for (String account : policy.getAllowlist().getAccounts()) {
      if (account == null || account.isBlank()) {
        reasons.add("allowlist.accounts: empty account id");
      }
    }
    for (String org : policy.getAllowlist().getOrgs()) {
      if (org == null || org.isBlank()) {
        reasons.add("allowlist.orgs: empty org id");
      }
    }
    if (!reasons.isEmpty()) {
      throw new PolicyRejected(reasons);
    }
    long effective = policy.getEffectiveFrom() == null ? Long.MIN_VALUE : policy.getEffectiveFrom().toEpochMilli();
    return new PolicyRules(policy.getVersion(), policy.getAuthor(), effective, overrides, scoring,
        new HashSet<>(policy.getAllowlist().getAccounts()), new HashSet<>(policy.getAllowlist().getOrgs()),
        allowedSubnets, deniedSubnets, asns);
  }

  /** The policy's numbers as the settings they replace; unknown names and lowered floors are reasons. */
  static Map<String, String> overrides(DetectionPolicy policy, DetectorConfig config, List<String> reasons) {
    Map<String, String> known = config.settings();
    Map<String, String> out = new TreeMap<>();
    for (FeatureThreshold threshold : policy.getThresholds()) {
      String key = "ramp." + threshold.getKeySpace().name().toLowerCase(Locale.ROOT) + "." + threshold.getFeature();
      if (!known.containsKey(key)) {
        reasons.add("thresholds: no feature '" + threshold.getFeature() + "' in key space "
            + threshold.getKeySpace() + " (known: " + features(known, threshold.getKeySpace().name()) + ")");
        continue;
      }
      if (!Double.isFinite(threshold.getNoneAt()) || !Double.isFinite(threshold.getFullAt())) {
        reasons.add("thresholds: " + key + " must be finite numbers");
        continue;
      }
      out.put(key, threshold.getNoneAt() + ":" + threshold.getFullAt());
    }
    for (KeySpaceMinimum minimum : policy.getMinimums()) {
      String key = MINIMUMS.get(minimum.getKeySpace() + "/" + minimum.getName());
      if (key == null) {
        reasons.add("minimums: no minimum '" + minimum.getName() + "' in key space " + minimum.getKeySpace()
            + " (known: " + new TreeSet<>(MINIMUMS.keySet()) + ")");
        continue;
      }
      int floor = Integer.parseInt(known.get(key));
      if (minimum.getValue() < floor) {
        reasons.add("minimums: " + key + "=" + minimum.getValue() + " is below the job's configured " + floor
            + " (the feature operators only compute windows above it; lower it in the configuration)");
        continue;
      }
      out.put(key, Integer.toString(minimum.getValue()));
    }
    ActionPolicy actions = policy.getActions();
    if (actions != null && actions.getReviewAt() < config.scoring().actions().review()) {
      reasons.add("actions.review_at " + actions.getReviewAt() + " is below the job's configured score.review "
          + config.scoring().actions().review() + " (the CEP patterns only pass windows above it; lower it in the"
          + " configuration)");
    }
    if (actions != null) {
      out.put("score.review", Double.toString(actions.getReviewAt()));
      out.put("score.throttle", Double.toString(actions.getThrottleAt()));
      out.put("score.block", Double.toString(actions.getBlockAt()));
      out.put("action.throttle-rpm", Integer.toString(actions.getThrottleRequestsPerMinute()));
      out.put("action.block-rpm", Integer.toString(actions.getBlockRequestsPerMinute()));
      if (actions.getDecisionTtlSeconds() <= 0) {
        reasons.add("actions.decision_ttl_seconds must be positive, was " + actions.getDecisionTtlSeconds());
      } else {
        out.put("decision.ttl", actions.getDecisionTtlSeconds() + "s");
      }
    }
    return out;
  }

  private static Set<String> features(Map<String, String> known, String keySpace) {
    String prefix = "ramp." + keySpace.toLowerCase(Locale.ROOT) + ".";
    Set<String> out = new TreeSet<>();
    known.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(k -> out.add(k.substring(prefix.length())));
    return out;
  }

  private static List<Cidr> cidrs(String field, List<String> texts, List<String> reasons) {
    List<Cidr> out = new ArrayList<>();
    for (String text : texts) {
      try {
        out.add(Cidr.parse(text));
      } catch (IllegalArgumentException e) {
        reasons.add(field + ": " + e.getMessage());
      }
    }
    return out;
  }

  /** What {@code next} changes against {@code previous}, one line per setting or list entry. */
  public static List<String> changes(PolicyRules previous, PolicyRules next, DetectionPolicy previousPolicy,
      DetectionPolicy nextPolicy) {
    List<String> out = new ArrayList<>();
    Set<String> keys = new TreeSet<>(previous.overrides.keySet());
    keys.addAll(next.overrides.keySet());
    Map<String, String> configured = new LinkedHashMap<>();
    for (String key : keys) {
      String before = previous.overrides.getOrDefault(key, "configured");
      String after = next.overrides.getOrDefault(key, "configured");
      if (!before.equals(after)) {
        configured.put(key, before + " -> " + after);
      }
    }
    configured.forEach((key, change) -> out.add(key + ": " + change));
    listChanges(out, "allowlist.accounts", previousPolicy == null ? List.of() : previousPolicy.getAllowlist().getAccounts(),
        nextPolicy.getAllowlist().getAccounts());
    listChanges(out, "allowlist.orgs", previousPolicy == null ? List.of() : previousPolicy.getAllowlist().getOrgs(),
        nextPolicy.getAllowlist().getOrgs());
    listChanges(out, "allowlist.subnets", previousPolicy == null ? List.of() : previousPolicy.getAllowlist().getSubnets(),
        nextPolicy.getAllowlist().getSubnets());
    listChanges(out, "denylist.subnets", previousPolicy == null ? List.of() : previousPolicy.getDenylist().getSubnets(),
        nextPolicy.getDenylist().getSubnets());
    listChanges(out, "denylist.asns", previousPolicy == null ? List.of() : previousPolicy.getDenylist().getAsns(),
        nextPolicy.getDenylist().getAsns());
    return out;
  }

  private static void listChanges(List<String> out, String name, List<?> before, List<?> after) {
    Set<String> b = new TreeSet<>();
    before.forEach(x -> b.add(String.valueOf(x)));
    Set<String> a = new TreeSet<>();
    after.forEach(x -> a.add(String.valueOf(x)));
    for (String added : a) {
      if (!b.contains(added)) {
        out.add(name + ": +" + added);
      }
    }
    for (String removed : b) {
      if (!a.contains(removed)) {
        out.add(name + ": -" + removed);
      }
    }
  }

  public long version() {
    return version;
  }

  public String author() {
    return author;
  }

  /** Event time from which this policy applies; Long.MIN_VALUE for the configuration. */
  public long effectiveFrom() {
    return effectiveFrom;
  }

  public ScoringPolicy scoring() {
    return scoring;
  }

  /** Whether the account (or its org) is allowlisted: reviewed, never throttled. */
  public boolean allowsAccount(String account, String org) {
    return allowedAccounts.contains(account) || (org != null && allowedOrgs.contains(org));
  }

  /** Whether the subnet lies in an allowlisted network. */
  public boolean allowsSubnet(String subnet) {
    return inAny(allowedSubnets, subnet);
  }

  /** Whether the subnet lies in a denylisted network. */
  public boolean deniesSubnet(String subnet) {
    return inAny(deniedSubnets, subnet);
  }

  public boolean deniesAsn(int asn) {
    return deniedAsns.contains(asn);
  }

  public boolean hasDenylist() {
    return !deniedSubnets.isEmpty() || !deniedAsns.isEmpty();
  }

  private static boolean inAny(List<Cidr> networks, String subnet) {
    if (networks.isEmpty()) {
      return false;
    }
    Cidr cidr;
    try {
      cidr = Cidr.parse(subnet);
    } catch (IllegalArgumentException e) {
      return false;
    }
    for (Cidr network : networks) {
      if (network.contains(cidr)) {
        return true;
      }
    }
    return false;
  }

  /** A policy that failed validation, with every reason. */
  public static final class PolicyRejected extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<String> reasons;

    public PolicyRejected(List<String> reasons) {
      super(String.join("; ", reasons));
      this.reasons = List.copyOf(reasons);
    }

    public List<String> reasons() {
      return reasons;
    }
  }
}
