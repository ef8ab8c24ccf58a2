package dev.distillguard.detector.patterns;

import dev.distillguard.contract.ThrottleAction;
import java.io.Serializable;
import java.time.Duration;

/**
 * Every number the scorers and the action grading read. Defaults are in {@link #defaults()}; the reasons
 * for each are in docs/detection.md.
 */
public record ScoringPolicy(AccountRules account, CampaignRules campaign, SubnetRules subnet, ActionRules actions)
    implements Serializable {

  /** One account carrying a templated extraction burst. */
  public record AccountRules(
      int minRequests,
      Ramp nearDuplicateShare,
      Ramp templateVariety,
      Ramp cotShare,
      Ramp extractionShare,
      Ramp interarrivalCv,
      Ramp promptTokensCv,
      Ramp ratePerMinute) implements Serializable {}

  /** One template spread over many light accounts and several networks. */
  public record CampaignRules(
      int reportMinAccounts,
      int minAccounts,
      int minSubnets,
      Ramp subnets,
      Ramp requestsPerAccount,
      Ramp templateVariety,
      Ramp cotShare,
      Ramp extractionShare,
      Ramp templateSpreadBits,
      Ramp youngAccountShare,
      Ramp accountsPerPayment) implements Serializable {}

  /** One network dominated by one template over many accounts. */
  public record SubnetRules(
      int minAccounts,
      int minRequests,
      Ramp dominantTemplateShare,
      Ramp requestsPerAccount,
      Ramp templateVariety,
      Ramp cotShare,
      Ramp extractionShare,
      Ramp youngAccountShare,
      Ramp accountsPerPayment,
      ThrottleAction maxAction) implements Serializable {}

  /** Score to action, and what each action asks of the rate limiter. */
  public record ActionRules(
      double review,
      double throttle,
      double block,
      int throttleRequestsPerMinute,
      int blockRequestsPerMinute,
      Duration decisionTtl) implements Serializable {

    public ActionRules {
      if (!(0 < review && review <= throttle && throttle <= block && block <= 1)) {
        throw new IllegalArgumentException("need 0 < score.review <= score.throttle <= score.block <= 1, was "
            + review + ", " + throttle + ", " + block);
      }
      if (throttleRequestsPerMinute < 0 || blockRequestsPerMinute < 0) {
        throw new IllegalArgumentException("action rate limits must not be negative");
      }
      if (decisionTtl.isNegative() || decisionTtl.isZero()) {
        throw new IllegalArgumentException("decision.ttl must be positive, was " + decisionTtl);
      }
    }

    /** The action a score earns, or null below review. */
    public ThrottleAction actionFor(double score) {
      if (score >= block) {
        return ThrottleAction.BLOCK;
      }
      if (score >= throttle) {
        return ThrottleAction.THROTTLE;
      }
      return score >= review ? ThrottleAction.REVIEW : null;
    }

    public Integer requestsPerMinute(ThrottleAction action) {
      return switch (action) {
        case REVIEW -> null;
        case THROTTLE -> throttleRequestsPerMinute;
        case BLOCK -> blockRequestsPerMinute;
      };
    }
  }

  public static ScoringPolicy defaults() {
    return new ScoringPolicy(
        new AccountRules(30,
            new Ramp(0.3, 0.8), new Ramp(0.1, 0.5), new Ramp(0.2, 0.6), new Ramp(0.6, 0.95),
            new Ramp(0.9, 0.3), new Ramp(0.5, 0.15), new Ramp(3, 30)),
        new CampaignRules(3, 10, 2,
            new Ramp(1, 8), new Ramp(3, 1.2), new Ramp(0.1, 0.5), new Ramp(0.2, 0.6), new Ramp(0.6, 0.95),
            new Ramp(10, 4), new Ramp(0.2, 0.7), new Ramp(1.5, 5)),
        new SubnetRules(5, 20,
            new Ramp(0.4, 0.8), new Ramp(3, 1.2), new Ramp(0.1, 0.5), new Ramp(0.2, 0.6), new Ramp(0.6, 0.95),
            new Ramp(0.2, 0.7), new Ramp(1.5, 5), ThrottleAction.REVIEW),
        new ActionRules(0.5, 0.8, 0.9, 6, 0, Duration.ofHours(1)));
  }
}
