package dev.distillguard.detector.features;

import dev.distillguard.contract.Capability;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.WindowFeatures;
import dev.distillguard.detector.patterns.Scoring;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Combines the panes of one window into its features, reading the frozen panes in place. Pure: the same
 * panes give the same features.
 */
public final class WindowCalculator {

  private static final double LOG_CAPABILITIES = Math.log(Panes.CAPABILITIES);

  private WindowCalculator() {}

  /**
   * @param panes the key's panes, oldest first; those starting in {@code [windowEnd - size, windowEnd)} count
   * @return the window's features, unscored; null when the window holds no request, or for a template key
   *     when no two requests of the window's sample share a template
   */
  public static WindowFeatures compute(KeySpace space, String key, long windowEnd, List<FrozenPane> panes,
      FeatureSettings settings) {
    long windowStart = windowEnd - settings.windowMillis();
    List<FrozenPane> window = new ArrayList<>(panes.size());
    for (FrozenPane pane : panes) {
      if (pane.start() >= windowStart && pane.start() < windowEnd) {
        window.add(pane);
      }
    }
    int requests = 0;
    long promptSum = 0;
    double promptSq = 0;
    long completionSum = 0;
    double completionSq = 0;
    int cot = 0;
    int[] capabilities = new int[Panes.CAPABILITIES];
    boolean truncated = false;
    String org = null;
    int[] levels = new int[4];
    for (FrozenPane pane : window) {
      for (int kind = 0; kind < levels.length; kind++) {
        levels[kind] = Math.max(levels[kind], pane.memberLevel(kind));
      }
    }
    ArrivalStats arrivals = new ArrivalStats();

    for (FrozenPane pane : window) {
      requests += pane.count();
      promptSum += pane.promptTokensSum();
      promptSq += pane.promptTokensSq();
      completionSum += pane.completionTokensSum();
      completionSq += pane.completionTokensSq();
      cot += pane.cot();
      for (int c = 0; c < capabilities.length; c++) {
        capabilities[c] += pane.capability(c);
      }
      truncated |= pane.membersTruncated();
      String paneOrg = pane.orgId();
      if (paneOrg != null && (org == null || paneOrg.compareTo(org) < 0)) {
        org = paneOrg;
      }
      if (space == KeySpace.ACCOUNT) {
        arrivals.addPane(pane);
      }
    }
    if (requests == 0) {
      return null;
    }

    long[] sample = windowSample(window, settings.sampleSize());
    TemplateClusters.Result templates = TemplateClusters.cluster(sample, sample.length, settings.clusterRadiusBits());
    if (space == KeySpace.TEMPLATE && templates.dominantSize() < Scoring.MIN_DOMINANT_TEMPLATE_SIZE) {
      // No two sampled requests share a template: the bucket holds only prompts that met by chance, and
      // campaign scoring never reports such a window (Scoring.campaign), under any policy. Most template
      // keys are such buckets at every slide, so their members are not read for nothing.
      return null;
    }

    // A template key's bucket also holds unrelated prompts that share one band by chance: only the
    // members whose prompts sit near the dominant template are the template's accounts and networks.
    boolean onlyNearTemplate = space == KeySpace.TEMPLATE;
    long centroid = templates.dominantCentroid();
    int radius = settings.clusterRadiusBits();
    FrozenPane.Entries entries = new FrozenPane.Entries();
    List<String> memberAccounts =
        members(window, Panes.ACCOUNTS, levels[Panes.ACCOUNTS], onlyNearTemplate, centroid, radius, entries);
    List<String> memberSubnets =
        members(window, Panes.SUBNETS, levels[Panes.SUBNETS], onlyNearTemplate, centroid, radius, entries);
    List<String> memberAsns =
        members(window, Panes.ASNS, levels[Panes.ASNS], onlyNearTemplate, centroid, radius, entries);
    int memberCountries =
        members(window, Panes.COUNTRIES, levels[Panes.COUNTRIES], onlyNearTemplate, centroid, radius, entries)
            .size();
    AccountFacts facts = accountFacts(window, memberAccounts, entries);

    WindowFeatures features = new WindowFeatures();
    features.setKeySpace(space);
    features.setKey(key);
    features.setOrgId(org);
    features.setWindowStart(windowStart);
    features.setWindowEnd(windowEnd);
    features.setRequests(requests);
    features.setRatePerMinute(requests * 60_000.0 / settings.windowMillis());
    features.setInterarrivalCv(arrivals.coefficientOfVariation());
    features.setPromptTokensMean((double) promptSum / requests);
    features.setPromptTokensCv(coefficientOfVariation(requests, promptSum, promptSq));
    features.setCompletionTokensMean((double) completionSum / requests);
    features.setCompletionTokensCv(coefficientOfVariation(requests, completionSum, completionSq));
    features.setNearDuplicateShare(templates.nearDuplicateShare());
    features.setTemplateClusters(templates.clusters());
    features.setDominantTemplateShare(templates.dominantShare());
    features.setTemplateVariety(templates.dominantVariety());
    features.setTemplateSpreadBits(templates.dominantSpreadBits());
    features.setTemplateCentroid(centroid);
    features.setDominantTemplateSize(templates.dominantSize());
    setCapabilityFeatures(features, capabilities, requests);
    features.setCotShare((double) cot / requests);
    features.setDistinctAccounts(space == KeySpace.ACCOUNT ? 1 : memberAccounts.size());
    features.setDistinctSubnets(memberSubnets.size());
    features.setDistinctAsns(memberAsns.size());
    features.setDistinctCountries(memberCountries);
    features.setYoungAccountShare(facts.knownAge == 0 ? null : (double) facts.young / facts.knownAge);
    features.setAccountsPerPayment(facts.cards.isEmpty() ? null : (double) facts.paying / facts.cards.size());
    List<String> listed = memberAccounts;
    if (listed.size() > settings.maxListedAccounts()) {
      listed = new ArrayList<>(listed.subList(0, settings.maxListedAccounts()));
      truncated = true;
    }
    features.setAccounts(space == KeySpace.ACCOUNT ? List.of(key) : listed);
    features.setSubnets(memberSubnets);
    features.setAsns(memberAsns);
    features.setMembersTruncated(truncated);
    features.setScore(0.0);
    features.setEvidence(new ArrayList<>());
    return features;
  }

  /**
   * The window's sample of request SimHashes, in rank order: the {@code cap} least distinct ranks over the
   * panes' samples, as adding every pane's sample to one with {@link Panes#addToSample} would keep (a rank
   * met twice, one request delivered twice, counts once, with the earliest pane's SimHash). Each pane's
   * sample is sorted by rank, so this merges them.
   */
  static long[] windowSample(List<FrozenPane> window, int cap) {
    int panes = window.size();
    int[] next = new int[panes];
    // Each pane's next rank, read once: the scan for the least compares these, not the panes' bytes.
    long[] heads = new long[panes];
    boolean[] done = new boolean[panes];
    for (int p = 0; p < panes; p++) {
      done[p] = window.get(p).sampleSize() == 0;
      heads[p] = done[p] ? 0 : window.get(p).sampleRank(0);
    }
    long[] sample = new long[cap];
    int size = 0;
    long previousRank = 0;
    while (size < cap) {
      int least = -1;
      for (int p = 0; p < panes; p++) {
        if (!done[p] && (least < 0 || Long.compareUnsigned(heads[p], heads[least]) < 0)) {
          least = p;
        }
      }
      if (least < 0) {
        break;
      }
      FrozenPane pane = window.get(least);
      long leastRank = heads[least];
      long simhash = pane.sampleSimhash(next[least]++);
      if (next[least] < pane.sampleSize()) {
        heads[least] = pane.sampleRank(next[least]);
      } else {
        done[least] = true;
      }
      if (size > 0 && leastRank == previousRank) {
        continue;
      }
      sample[size++] = simhash;
      previousRank = leastRank;
    }
    return size == cap ? sample : Arrays.copyOf(sample, size);
  }

  /**
   * The window's members of one kind, sorted: each with the representative first in
   * {@link Panes#representativeOrder} over all its panes (panes sampled at different levels meet at the
   * highest, so the members are again the order-independent hash sample), and for a template key only
   * those whose representative is near the dominant template.
   */
  private static List<String> members(List<FrozenPane> window, int kind, int level, boolean onlyNear,
      long centroid, int radius, FrozenPane.Entries entries) {
    Map<String, Long> representatives = new HashMap<>();
    for (FrozenPane pane : window) {
      pane.members(kind, entries);
      while (entries.next()) {
        long representative = entries.longValue();
        if (!onlyNear || Long.bitCount(representative ^ centroid) <= radius) {
          String member = entries.key();
          if (Panes.sampled(member, level)) {
            representatives.merge(member, representative, Panes::firstRepresentative);
          }
        }
      }
    }
    if (onlyNear && !representatives.isEmpty()) {
      // A member with a near representative in one pane and an earlier-ordered far one in another is
      // represented by the far one, as if every representative had been merged first. Merging only the
      // near ones, then finding them in every pane by the hash of their bytes, keeps a chance bucket's
      // thousands of far members out of the work: their names are never decoded.
      NameSet near = new NameSet(representatives.keySet());
      for (FrozenPane pane : window) {
        pane.members(kind, entries);
        while (entries.next()) {
          if (near.mayContain(entries.keyHash())) {
            Long current = representatives.get(entries.key());
            if (current != null) {
              representatives.put(entries.key(), Panes.firstRepresentative(current, entries.longValue()));
            }
          }
        }
      }
    }
    List<String> out = new ArrayList<>(representatives.size());
    for (Map.Entry<String, Long> e : representatives.entrySet()) {
      if (!onlyNear || Long.bitCount(e.getValue() ^ centroid) <= radius) {
        out.add(e.getKey());
      }
    }
    out.sort(null);
    return out;
  }

  /** Ages and payments of the window's member accounts: young if young in any pane, the least payment. */
  private static AccountFacts accountFacts(List<FrozenPane> window, List<String> accounts,
      FrozenPane.Entries entries) {
    AccountFacts facts = new AccountFacts();
    if (accounts.isEmpty()) {
      return facts;
    }
    // Looked up for the members only: a chance bucket holds thousands of accounts, few of them members.
    Map<String, Boolean> young = new HashMap<>();
    Map<String, String> payments = new HashMap<>();
    Set<String> members = new HashSet<>(accounts);
    NameSet names = new NameSet(members);
    for (FrozenPane pane : window) {
      pane.youngAccounts(entries);
      while (entries.next()) {
        if (names.mayContain(entries.keyHash())) {
          String account = entries.key();
          if (members.contains(account)) {
            young.merge(account, entries.booleanValue(), Boolean::logicalOr);
          }
        }
      }
      pane.accountPayments(entries);
      while (entries.next()) {
        if (names.mayContain(entries.keyHash())) {
          String account = entries.key();
          if (members.contains(account)) {
            payments.merge(account, entries.stringValue(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
          }
        }
      }
    }
    facts.knownAge = young.size();
    for (boolean isYoung : young.values()) {
      if (isYoung) {
        facts.young++;
      }
    }
    facts.paying = payments.size();
    facts.cards.addAll(payments.values());
    return facts;
  }

  private static final class AccountFacts {
    int knownAge;
    int young;
    int paying;
    final Set<String> cards = new HashSet<>();
  }

  private static void setCapabilityFeatures(WindowFeatures features, int[] capabilities, int requests) {
    double entropy = 0;
    int dominant = 0;
    int extraction = 0;
    for (int c = 0; c < capabilities.length; c++) {
      if (capabilities[c] > 0) {
        double p = (double) capabilities[c] / requests;
        entropy -= p * Math.log(p);
      }
      if (capabilities[c] > capabilities[dominant]) {
        dominant = c;
      }
      if (isExtractionCapability(c)) {
        extraction += capabilities[c];
      }
    }
    features.setCapabilityEntropy(entropy / LOG_CAPABILITIES);
    features.setDominantCapability(dominant);
    features.setExtractionCapabilityShare((double) extraction / requests);
  }

  /** The capabilities distillation campaigns harvest: reasoning traces, code, tool and agent traces. */
  static boolean isExtractionCapability(int ordinal) {
    return ordinal == Capability.REASONING.ordinal() || ordinal == Capability.CODE.ordinal()
        || ordinal == Capability.TOOL_USE.ordinal() || ordinal == Capability.AGENTIC.ordinal();
  }

  static double coefficientOfVariation(int n, double sum, double sumOfSquares) {
    if (n < 2 || sum <= 0) {
      return 0.0;
    }
    double mean = sum / n;
    double variance = Math.max(0.0, sumOfSquares / n - mean * mean);
    return Math.sqrt(variance) / mean;
  }

  /**
   * Inter-arrival gaps of an account over the window, from each pane's earliest arrivals. The gap between
   * two panes counts only when the earlier pane kept all its arrivals, so its last one is known.
   */
  static final class ArrivalStats {
    private long gaps;
    private double sum;
    private double sumOfSquares;
    private long previous = Long.MIN_VALUE;

    void addPane(FrozenPane pane) {
      long paneStart = pane.start();
      for (int i = 0; i < pane.offsets(); i++) {
        long t = paneStart + pane.offset(i);
        if (previous != Long.MIN_VALUE) {
          double gap = t - previous;
          gaps++;
          sum += gap;
          sumOfSquares += gap * gap;
        }
        previous = t;
      }
      if (pane.offsetsTruncated()) {
        previous = Long.MIN_VALUE;
      }
    }

    Double coefficientOfVariation() {
      if (gaps < 2 || sum <= 0) {
        return null;
      }
      double mean = sum / gaps;
      double variance = Math.max(0.0, sumOfSquares / gaps - mean * mean);
      return Math.sqrt(variance) / mean;
    }
  }
}
