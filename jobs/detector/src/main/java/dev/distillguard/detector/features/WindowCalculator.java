package dev.distillguard.detector.features;

import dev.distillguard.contract.Capability;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.WindowFeatures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Combines the panes of one window into its features. Pure: the same panes give the same features. */
public final class WindowCalculator {

  private static final double LOG_CAPABILITIES = Math.log(Panes.CAPABILITIES);

  private WindowCalculator() {}

  /**
   * @param panes the key's panes, oldest first; those starting in {@code [windowEnd - size, windowEnd)} count
   * @return the window's features, unscored; null when the window holds no request
   */
  public static WindowFeatures compute(KeySpace space, String key, long windowEnd, List<Pane> panes,
      FeatureSettings settings) {
    long windowStart = windowEnd - settings.windowMillis();
    List<Pane> window = new ArrayList<>(panes.size());
    for (Pane pane : panes) {
      if (pane.getStart() >= windowStart && pane.getStart() < windowEnd) {
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
    List<Long> sampleRank = new ArrayList<>();
    List<Long> sampleSimhash = new ArrayList<>();
    Map<String, Long> accounts = new HashMap<>();
    Map<String, Boolean> young = new HashMap<>();
    Map<String, String> payments = new HashMap<>();
    Map<String, Long> subnets = new HashMap<>();
    Map<String, Long> asns = new HashMap<>();
    Map<String, Long> countries = new HashMap<>();
    boolean truncated = false;
    String org = null;
    int[] levels = new int[4];
    for (Pane pane : window) {
      for (int kind = 0; kind < levels.length; kind++) {
        levels[kind] = Math.max(levels[kind], pane.getMemberLevels().get(kind));
      }
    }
    ArrivalStats arrivals = new ArrivalStats();

    for (Pane pane : window) {
      requests += pane.getCount();
      promptSum += pane.getPromptTokensSum();
      promptSq += pane.getPromptTokensSq();
      completionSum += pane.getCompletionTokensSum();
      completionSq += pane.getCompletionTokensSq();
      cot += pane.getCot();
      for (int c = 0; c < capabilities.length; c++) {
        capabilities[c] += pane.getCapabilities().get(c);
      }
      List<Long> ranks = pane.getSampleRank();
      for (int i = 0; i < ranks.size(); i++) {
        Panes.addToSample(sampleRank, sampleSimhash, ranks.get(i), pane.getSampleSimhash().get(i),
            settings.sampleSize());
      }
      // Panes sampled at different levels meet at the highest, so the window's members are again the
      // order-independent hash sample.
      mergeMembers(accounts, pane.getAccounts(), levels[Panes.ACCOUNTS]);
      pane.getYoungAccounts().forEach((account, isYoung) -> young.merge(account, isYoung, Boolean::logicalOr));
      pane.getAccountPayments().forEach((account, payment) ->
          payments.merge(account, payment, (a, b) -> a.compareTo(b) <= 0 ? a : b));
      mergeMembers(subnets, pane.getSubnets(), levels[Panes.SUBNETS]);
      mergeMembers(asns, pane.getAsns(), levels[Panes.ASNS]);
      mergeMembers(countries, pane.getCountries(), levels[Panes.COUNTRIES]);
      truncated |= pane.getMembersTruncated();
      if (pane.getOrgId() != null && (org == null || pane.getOrgId().compareTo(org) < 0)) {
        org = pane.getOrgId();
      }
      if (space == KeySpace.ACCOUNT) {
        arrivals.addPane(pane.getStart(), pane.getOffsets(), pane.getOffsetsTruncated());
      }
    }
    if (requests == 0) {
      return null;
    }

    long[] sample = new long[sampleSimhash.size()];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = sampleSimhash.get(i);
    }
    TemplateClusters.Result templates = TemplateClusters.cluster(sample, sample.length, settings.clusterRadiusBits());

    // A template key's bucket also holds unrelated prompts that share one band by chance: only the
    // members whose prompts sit near the dominant template are the template's accounts and networks.
    boolean onlyNearTemplate = space == KeySpace.TEMPLATE;
    long centroid = templates.dominantCentroid();
    int radius = settings.clusterRadiusBits();
    List<String> memberAccounts = members(accounts, onlyNearTemplate, centroid, radius);
    List<String> memberSubnets = members(subnets, onlyNearTemplate, centroid, radius);
    List<String> memberAsns = members(asns, onlyNearTemplate, centroid, radius);
    int memberCountries = members(countries, onlyNearTemplate, centroid, radius).size();
    int knownAge = 0;
    int youngCount = 0;
    int paying = 0;
    java.util.Set<String> cards = new java.util.HashSet<>();
    for (String account : memberAccounts) {
      String payment = payments.get(account);
      if (payment != null) {
        paying++;
        cards.add(payment);
      }
      Boolean isYoung = young.get(account);
      if (isYoung != null) {
        knownAge++;
        if (isYoung) {
          youngCount++;
        }
      }
    }

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
    features.setYoungAccountShare(knownAge == 0 ? null : (double) youngCount / knownAge);
    features.setAccountsPerPayment(cards.isEmpty() ? null : (double) paying / cards.size());
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

  private static void mergeMembers(Map<String, Long> into, Map<String, Long> from, int level) {
    for (Map.Entry<String, Long> e : from.entrySet()) {
      if (level > 0 && !Panes.sampled(Panes.memberHash(e.getKey()), level)) {
        continue;
      }
      into.merge(e.getKey(), e.getValue(), (a, b) ->
          Long.compareUnsigned(Panes.representativeOrder(a), Panes.representativeOrder(b)) <= 0 ? a : b);
    }
  }

  /** The members (near the template, for a template key), sorted. */
  private static List<String> members(Map<String, Long> members, boolean onlyNear, long centroid, int radius) {
    List<String> out = new ArrayList<>(members.size());
    for (Map.Entry<String, Long> e : members.entrySet()) {
      if (!onlyNear || Long.bitCount(e.getValue() ^ centroid) <= radius) {
        out.add(e.getKey());
      }
    }
    out.sort(null);
    return out;
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

    void addPane(long paneStart, List<Integer> offsets, boolean truncated) {
      for (int offset : offsets) {
        long t = paneStart + offset;
        if (previous != Long.MIN_VALUE) {
          double gap = t - previous;
          gaps++;
          sum += gap;
          sumOfSquares += gap * gap;
        }
        previous = t;
      }
      if (truncated) {
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
