package dev.distillguard.detector.patterns;

import dev.distillguard.detector.model.WindowFeatures;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;

/**
 * The CEP patterns, over one key's window features (one record per key per slide). Their names appear
 * in every decision's reasons. Conditions read only the features and the thresholds given here, so each
 * is a plain predicate with its own unit test.
 */
public final class ExtractionPatterns {

  public static final String SUSTAINED_EXTRACTION = "sustained-extraction";
  public static final String COORDINATED_CAMPAIGN = "coordinated-template-campaign";
  public static final String REPLACEMENT = "replacement";

  static final String SUSPICIOUS = "suspicious";
  static final String THROTTLED = "throttled";
  static final String RETHROTTLED = "throttled-again";
  static final String FRESH = "fresh";

  private ExtractionPatterns() {}

  /**
   * A key scores at least {@code minScore} for {@code windows} consecutive slides. After a match the next
   * one needs as many new windows, so a continuing burst refreshes its decision every few slides.
   */
  public static Pattern<WindowFeatures, WindowFeatures> sustained(int windows, double minScore, Duration slide) {
    return Pattern.<WindowFeatures>begin(SUSPICIOUS, AfterMatchSkipStrategy.skipPastLastEvent())
        .where(new SuspiciousAndContiguous(minScore, slide.toMillis()))
        .times(windows)
        .consecutive()
        .within(slide.multipliedBy(windows));
  }

  /**
   * One template spread over many light accounts on several networks, for {@code windows} consecutive
   * slides. The campaign score is zero below the campaign size, so only campaign-sized windows match.
   */
  public static Pattern<WindowFeatures, WindowFeatures> coordinatedCampaign(int windows, double minScore,
      int minAccounts, int minSubnets, Duration slide) {
    return Pattern.<WindowFeatures>begin(SUSPICIOUS, AfterMatchSkipStrategy.skipPastLastEvent())
        .where(new SuspiciousAndContiguous(minScore, slide.toMillis()))
        .where(new SpreadAtLeast(minAccounts, minSubnets))
        .times(windows)
        .consecutive()
        .within(slide.multipliedBy(windows));
  }

  /**
   * After a template was scored at throttle level, a later window of the same template, below throttle
   * level, sent mostly by accounts the throttled window did not have, on the networks it used: the
   * throttled accounts' work taken over by new ones. Matches even when the new wave is far below campaign
   * size. Only the last throttled window of a run anchors a match: the next throttled window discards the
   * previous one's wait, so a long campaign keeps one partial match, not one per window.
   */
  public static Pattern<WindowFeatures, WindowFeatures> replacement(double throttleScore, ReplacementRules rules) {
    return Pattern.<WindowFeatures>begin(THROTTLED, AfterMatchSkipStrategy.skipPastLastEvent())
        .where(new ScoreAtLeast(throttleScore))
        .notFollowedBy(RETHROTTLED)
        .where(new ScoreAtLeast(throttleScore))
        .followedBy(FRESH)
        .where(new FreshAccountsOnSameInfrastructure(throttleScore, rules))
        .within(rules.horizon());
  }

  /** Thresholds of the replacement pattern. */
  public record ReplacementRules(int minFreshAccounts, double minFreshShare, int radiusBits, Duration horizon)
      implements java.io.Serializable {}

  static final class ScoreAtLeast extends IterativeCondition<WindowFeatures> {
    private static final long serialVersionUID = 1L;
    private final double minScore;

    ScoreAtLeast(double minScore) {
      this.minScore = minScore;
    }

    @Override
    public boolean filter(WindowFeatures f, Context<WindowFeatures> ctx) {
      return f.getScore() >= minScore;
    }
  }

  /** Sent by at least so many accounts from at least so many subnets. */
  static final class SpreadAtLeast extends IterativeCondition<WindowFeatures> {
    private static final long serialVersionUID = 1L;
    private final int minAccounts;
    private final int minSubnets;

    SpreadAtLeast(int minAccounts, int minSubnets) {
      this.minAccounts = minAccounts;
      this.minSubnets = minSubnets;
    }

    @Override
    public boolean filter(WindowFeatures f, Context<WindowFeatures> ctx) {
      return f.getDistinctAccounts() >= minAccounts && f.getDistinctSubnets() >= minSubnets;
    }
  }

  /** Suspicious, and the window right after the previous one in the run: a quiet slide breaks the run. */
  static final class SuspiciousAndContiguous extends IterativeCondition<WindowFeatures> {
    private static final long serialVersionUID = 1L;
    private final double minScore;
    private final long slideMillis;

    SuspiciousAndContiguous(double minScore, long slideMillis) {
      this.minScore = minScore;
      this.slideMillis = slideMillis;
    }

    @Override
    public boolean filter(WindowFeatures f, Context<WindowFeatures> ctx) throws Exception {
      if (f.getScore() < minScore) {
        return false;
      }
      WindowFeatures previous = null;
      for (WindowFeatures earlier : ctx.getEventsForPattern(SUSPICIOUS)) {
        previous = earlier;
      }
      return previous == null || f.getWindowEnd() == previous.getWindowEnd() + slideMillis;
    }
  }

  static final class FreshAccountsOnSameInfrastructure extends IterativeCondition<WindowFeatures> {
    private static final long serialVersionUID = 1L;
    private final double throttleScore;
    private final ReplacementRules rules;

    FreshAccountsOnSameInfrastructure(double throttleScore, ReplacementRules rules) {
      this.throttleScore = throttleScore;
      this.rules = rules;
    }

    @Override
    public boolean filter(WindowFeatures f, Context<WindowFeatures> ctx) throws Exception {
      if (f.getScore() >= throttleScore) {
        return false;
      }
      Iterator<WindowFeatures> throttled = ctx.getEventsForPattern(THROTTLED).iterator();
      return throttled.hasNext() && isReplacement(throttled.next(), f, rules);
    }
  }

  /** The replacement condition, as a plain predicate. */
  static boolean isReplacement(WindowFeatures throttled, WindowFeatures later, ReplacementRules rules) {
    if (later.getWindowEnd() <= throttled.getWindowEnd()) {
      return false;
    }
    if (Long.bitCount(later.getTemplateCentroid() ^ throttled.getTemplateCentroid()) > rules.radiusBits()) {
      return false;
    }
    int fresh = freshAccounts(throttled.getAccounts(), later.getAccounts()).size();
    if (fresh < rules.minFreshAccounts() || fresh < rules.minFreshShare() * later.getAccounts().size()) {
      return false;
    }
    return overlaps(throttled.getSubnets(), later.getSubnets()) || overlaps(throttled.getAsns(), later.getAsns());
  }

  static List<String> freshAccounts(List<String> before, List<String> now) {
    Set<String> known = new HashSet<>(before);
    return now.stream().filter(a -> !known.contains(a)).toList();
  }

  private static boolean overlaps(List<String> a, List<String> b) {
    Set<String> set = new HashSet<>(a);
    for (String item : b) {
      if (set.contains(item)) {
        return true;
      }
    }
    return false;
  }
}
