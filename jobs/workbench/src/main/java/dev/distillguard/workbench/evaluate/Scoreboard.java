package dev.distillguard.workbench.evaluate;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.simulate.Label;
import dev.distillguard.simulate.LabelledCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Scores a run's decisions against the traffic's ground truth. An account is <em>enforced</em> when a
 * THROTTLE or BLOCK decision lists it, from that decision's {@code decided_at} (event time); REVIEW
 * decisions are counted apart, never as throttles.
 */
public final class Scoreboard {

  /** How one campaign fared. */
  public record CampaignScore(
      String campaignId,
      String population,
      int accounts,
      long requests,
      Instant start,
      Instant end,
      double requestsPerMinute,
      Instant firstDecision,
      int accountsEnforced,
      int accountsEnforcedWithinHour,
      int accountsActiveInFirstHour,
      long requestsLeaked) {

    public boolean detected() {
      return firstDecision != null;
    }

    public Duration timeToFirstDecision() {
      return firstDecision == null ? null : Duration.between(start, firstDecision);
    }

    public double enforcedShare() {
      return accounts == 0 ? 0 : (double) accountsEnforced / accounts;
    }

    public double enforcedWithinHourShare() {
      return accounts == 0 ? 0 : (double) accountsEnforcedWithinHour / accounts;
    }

    public double leakedShare() {
      return requests == 0 ? 0 : (double) requestsLeaked / requests;
    }
  }

  /** Benign accounts hit, overall and for the two groups that matter most. */
  public record BenignScore(
      int accounts,
      int enforced,
      int heavyAccounts,
      int heavyEnforced,
      int sharedAddressAccounts,
      int sharedAddressEnforced,
      int reviewedOnly,
      Map<String, Integer> enforcedByPopulation,
      Map<String, Integer> accountsByPopulation) {

    public double enforcedShare() {
      return accounts == 0 ? 0 : (double) enforced / accounts;
    }

    public Set<String> populations() {
      return accountsByPopulation.keySet();
    }
  }

  private final List<CampaignScore> campaigns;
  private final BenignScore benign;
  private final int enforcedAccounts;
  private final int enforcedCampaignAccounts;
  private final int campaignAccounts;
  private final long calls;

  private Scoreboard(List<CampaignScore> campaigns, BenignScore benign, int enforcedAccounts,
      int enforcedCampaignAccounts, int campaignAccounts, long calls) {
    this.campaigns = campaigns;
    this.benign = benign;
    this.enforcedAccounts = enforcedAccounts;
    this.enforcedCampaignAccounts = enforcedCampaignAccounts;
    this.campaignAccounts = campaignAccounts;
    this.calls = calls;
  }

  public List<CampaignScore> campaigns() {
    return campaigns;
  }

  public BenignScore benign() {
    return benign;
  }

  public long calls() {
    return calls;
  }

  /** Share of enforced accounts that belong to a campaign; 1 when nothing was enforced. */
  public double precision() {
    return enforcedAccounts == 0 ? 1.0 : (double) enforcedCampaignAccounts / enforcedAccounts;
  }

  /** Share of campaign accounts enforced; 1 when there is no campaign. */
  public double recall() {
    return campaignAccounts == 0 ? 1.0 : (double) enforcedCampaignAccounts / campaignAccounts;
  }

  public static Scoreboard score(Iterable<LabelledCall> traffic, List<ThrottleDecision> decisions) {
    Map<String, Instant> enforcedAt = new HashMap<>();
    Set<String> reviewed = new HashSet<>();
    for (ThrottleDecision d : decisions) {
      boolean enforcing = d.getAction() != ThrottleAction.REVIEW;
      for (String account : d.getAccounts()) {
        if (enforcing) {
          enforcedAt.merge(account, d.getDecidedAt(), (a, b) -> a.isBefore(b) ? a : b);
        } else {
          reviewed.add(account);
        }
      }
    }

    Map<String, Campaign> campaigns = new TreeMap<>();
    Map<String, BenignAccount> benign = new HashMap<>();
    long calls = 0;
    for (LabelledCall labelled : traffic) {
      calls++;
      ApiCall call = labelled.call();
      Label label = labelled.label();
      String account = call.getAccountId();
      Instant t = call.getEventTime();
      if (label.campaign()) {
        Campaign c = campaigns.computeIfAbsent(label.campaignId(), id -> new Campaign(id, label.population()));
        c.add(account, t, enforcedAt.get(account));
      } else {
        benign.computeIfAbsent(account, a -> new BenignAccount(label)).requests++;
      }
    }

    Set<String> campaignAccounts = new HashSet<>();
    List<CampaignScore> campaignScores = new ArrayList<>();
    for (Campaign c : campaigns.values()) {
      campaignAccounts.addAll(c.firstSeen.keySet());
      campaignScores.add(c.score(enforcedAt));
    }
    int enforcedCampaign = 0;
    for (String account : campaignAccounts) {
      if (enforcedAt.containsKey(account)) {
        enforcedCampaign++;
      }
    }
    int enforcedAccounts = 0;
    for (String account : enforcedAt.keySet()) {
      if (campaignAccounts.contains(account) || benign.containsKey(account)) {
        enforcedAccounts++;
      }
    }
    return new Scoreboard(campaignScores, scoreBenign(benign, campaignAccounts, enforcedAt, reviewed),
        enforcedAccounts, enforcedCampaign, campaignAccounts.size(), calls);
  }

  private static BenignScore scoreBenign(Map<String, BenignAccount> benign, Set<String> campaignAccounts,
      Map<String, Instant> enforcedAt, Set<String> reviewed) {
    // An account that sent campaign traffic too is a campaign account, not a wronged customer.
    benign.keySet().removeAll(campaignAccounts);
    List<Map.Entry<String, BenignAccount>> byVolume = new ArrayList<>(benign.entrySet());
    byVolume.sort(Comparator.comparingLong((Map.Entry<String, BenignAccount> e) -> e.getValue().requests).reversed()
        .thenComparing(Map.Entry::getKey));
    int heavyCount = Math.max(1, (int) Math.ceil(byVolume.size() * 0.01));
    Set<String> heavy = new HashSet<>();
    for (int i = 0; i < Math.min(heavyCount, byVolume.size()); i++) {
      heavy.add(byVolume.get(i).getKey());
    }
    int enforced = 0;
    int heavyEnforced = 0;
    int shared = 0;
    int sharedEnforced = 0;
    int reviewedOnly = 0;
    Map<String, Integer> byPopulation = new TreeMap<>();
    Map<String, Integer> accountsByPopulation = new TreeMap<>();
    for (Map.Entry<String, BenignAccount> e : benign.entrySet()) {
      String account = e.getKey();
      BenignAccount b = e.getValue();
      accountsByPopulation.merge(b.label.population(), 1, Integer::sum);
      boolean hit = enforcedAt.containsKey(account);
      if (b.label.sharedAddress()) {
        shared++;
      }
      if (hit) {
        enforced++;
        byPopulation.merge(b.label.population(), 1, Integer::sum);
        if (heavy.contains(account)) {
          heavyEnforced++;
        }
        if (b.label.sharedAddress()) {
          sharedEnforced++;
        }
      } else if (reviewed.contains(account)) {
        reviewedOnly++;
      }
    }
    return new BenignScore(benign.size(), enforced, heavy.size(), heavyEnforced, shared, sharedEnforced,
        reviewedOnly, byPopulation, accountsByPopulation);
  }

  private static final class BenignAccount {
    final Label label;
    long requests;

    BenignAccount(Label label) {
      this.label = label;
    }
  }

  private static final class Campaign {
    final String id;
    final String population;
    final Map<String, Instant> firstSeen = new HashMap<>();
    Instant start;
    Instant end;
    long requests;
    long leaked;

    Campaign(String id, String population) {
      this.id = id;
      this.population = population;
    }

    void add(String account, Instant t, Instant accountEnforcedAt) {
      requests++;
      firstSeen.putIfAbsent(account, t);
      if (start == null || t.isBefore(start)) {
        start = t;
      }
      if (end == null || t.isAfter(end)) {
        end = t;
      }
      if (accountEnforcedAt == null || t.isBefore(accountEnforcedAt)) {
        leaked++;
      }
    }

    CampaignScore score(Map<String, Instant> enforcedAt) {
      Instant first = null;
      int enforced = 0;
      int withinHour = 0;
      int activeInFirstHour = 0;
      Instant hour = start.plus(Duration.ofHours(1));
      for (Map.Entry<String, Instant> e : firstSeen.entrySet()) {
        if (!e.getValue().isAfter(hour)) {
          activeInFirstHour++;
        }
        Instant at = enforcedAt.get(e.getKey());
        if (at == null) {
          continue;
        }
        enforced++;
        if (!at.isAfter(hour)) {
          withinHour++;
        }
        if (first == null || at.isBefore(first)) {
          first = at;
        }
      }
      double minutes = Math.max(1.0, Duration.between(start, end).toMillis() / 60_000.0);
      return new CampaignScore(id, population, firstSeen.size(), requests, start, end, requests / minutes, first,
          enforced, withinHour, activeInFirstHour, leaked);
    }
  }
}
