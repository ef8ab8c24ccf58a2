package dev.distillguard.detector.patterns;

import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.detector.model.Evidence;
import dev.distillguard.detector.model.WindowFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns a pattern match into evidence for the decision ledger: who (the key, and for templates and
 * subnets the accounts), why (the pattern and the last window's features) and how strongly.
 */
public final class MatchToEvidence extends PatternProcessFunction<WindowFeatures, Evidence> {

  private static final long serialVersionUID = 1L;

  private final String pattern;
  private final ThrottleAction maxAction;

  public MatchToEvidence(String pattern, ThrottleAction maxAction) {
    this.pattern = pattern;
    this.maxAction = maxAction;
  }

  @Override
  public void processMatch(Map<String, List<WindowFeatures>> match, Context ctx, Collector<Evidence> out) {
    out.collect(ExtractionPatterns.REPLACEMENT.equals(pattern) ? replacement(match) : run(match));
  }

  /** A run of suspicious windows: the run's weakest score, everyone seen during it. */
  private Evidence run(Map<String, List<WindowFeatures>> match) {
    List<WindowFeatures> windows = match.get(ExtractionPatterns.SUSPICIOUS);
    WindowFeatures first = windows.get(0);
    WindowFeatures last = windows.get(windows.size() - 1);
    double score = 1.0;
    TreeSet<String> accounts = new TreeSet<>();
    TreeSet<String> subnets = new TreeSet<>();
    for (WindowFeatures w : windows) {
      score = Math.min(score, w.getScore());
      accounts.addAll(w.getAccounts());
      subnets.addAll(w.getSubnets());
    }
    List<String> reasons = new ArrayList<>();
    reasons.add("pattern=" + pattern);
    reasons.add("windows=" + windows.size());
    reasons.add(String.format(Locale.ROOT, "min_score=%.3f", score));
    reasons.addAll(last.getEvidence());
    return evidence(last, score, reasons, new ArrayList<>(accounts), new ArrayList<>(subnets),
        first.getWindowStart(), last.getWindowEnd());
  }

  /** Fresh accounts took over a throttled template: name the newcomers, at the campaign's score. */
  private Evidence replacement(Map<String, List<WindowFeatures>> match) {
    WindowFeatures throttled = match.get(ExtractionPatterns.THROTTLED).get(0);
    WindowFeatures fresh = match.get(ExtractionPatterns.FRESH).get(0);
    List<String> newcomers = ExtractionPatterns.freshAccounts(throttled.getAccounts(), fresh.getAccounts());
    List<String> reasons = new ArrayList<>();
    reasons.add("pattern=" + pattern);
    reasons.add(String.format(Locale.ROOT, "throttled_score=%.3f", throttled.getScore()));
    reasons.add("throttled_window_end=" + throttled.getWindowEnd());
    reasons.add("fresh_accounts=" + newcomers.size());
    reasons.add("template_distance_bits="
        + Long.bitCount(throttled.getTemplateCentroid() ^ fresh.getTemplateCentroid()));
    reasons.addAll(fresh.getEvidence());
    return evidence(fresh, throttled.getScore(), reasons, newcomers, fresh.getSubnets(), fresh.getWindowStart(),
        fresh.getWindowEnd());
  }

  private Evidence evidence(WindowFeatures key, double score, List<String> reasons, List<String> accounts,
      List<String> subnets, long windowStart, long windowEnd) {
    Evidence evidence = new Evidence();
    evidence.setKeySpace(key.getKeySpace());
    evidence.setEntityId(key.getKey());
    evidence.setPattern(pattern);
    evidence.setScore(score);
    evidence.setReasons(reasons);
    evidence.setAccounts(accounts);
    evidence.setSubnets(subnets);
    evidence.setWindowStart(windowStart);
    evidence.setWindowEnd(windowEnd);
    evidence.setMaxAction(maxAction.name());
    evidence.setTemplateCentroid(key.getTemplateCentroid());
    evidence.setOrgId(key.getOrgId());
    return evidence;
  }
}
