package dev.distillguard.detector.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.distillguard.contract.Capability;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.WindowFeatures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoringTest {

  private static final ScoringPolicy POLICY = ScoringPolicy.defaults();
  private static final double REVIEW = POLICY.actions().review();
  private static final double THROTTLE = POLICY.actions().throttle();

  // --- account ----------------------------------------------------------------------------------------

  /** One account, one template with fresh slots, reasoning traces, on a clock, at rate. */
  private static WindowFeatures accountExtraction() {
    WindowFeatures f = base(KeySpace.ACCOUNT, "acct-1");
    f.setRequests(300);
    f.setRatePerMinute(30);
    f.setNearDuplicateShare(0.95);
    f.setTemplateVariety(0.95);
    f.setCotShare(0.9);
    f.setExtractionCapabilityShare(0.9);
    f.setInterarrivalCv(0.1);
    f.setPromptTokensCv(0.05);
    return f;
  }

  @Test
  void accountClearExtractionScoresAtLeastBlockLevel() {
    Scoring.Assessment a = Scoring.assess(accountExtraction(), POLICY);
    assertThat(a.reportable()).isTrue();
    assertThat(a.score()).isGreaterThanOrEqualTo(0.9);
    assertThat(a.evidence()).contains("requests=300", "near_duplicate_share=0.950", "template_variety=0.950",
        "interarrival_cv=0.100");
  }

  @Test
  void accountClearBenignWindowScoresBelowReview() {
    WindowFeatures f = base(KeySpace.ACCOUNT, "acct-1");
    f.setRequests(60);
    f.setRatePerMinute(6);
    f.setNearDuplicateShare(0.1);
    f.setTemplateVariety(1.0);
    f.setCotShare(0.1);
    f.setExtractionCapabilityShare(0.2);
    f.setInterarrivalCv(1.1);
    f.setPromptTokensCv(0.9);
    Scoring.Assessment a = Scoring.assess(f, POLICY);
    assertThat(a.reportable()).isTrue();
    assertThat(a.score()).isLessThan(REVIEW);
  }

  @Test
  void accountHeavyLegitimateCustomerWithDiversePromptsScoresBelowReview() {
    WindowFeatures f = accountExtraction();
    f.setRequests(5_000);
    f.setRatePerMinute(500);
    f.setNearDuplicateShare(0.4); // some shared system prompts, mostly diverse work
    f.setTemplateVariety(1.0);
    f.setExtractionCapabilityShare(0.9); // a coding assistant: focused, regular, at rate
    f.setInterarrivalCv(0.2);
    assertThat(Scoring.assess(f, POLICY).score()).isLessThan(REVIEW);
  }

  @Test
  void accountCiHarnessResendingIdenticalPromptsScoresBelowReview() {
    WindowFeatures f = accountExtraction();
    f.setNearDuplicateShare(1.0);
    f.setTemplateVariety(0.0); // the same prompt resent: no new slot content, nothing to learn from
    f.setInterarrivalCv(0.0);
    f.setPromptTokensCv(0.0);
    assertThat(Scoring.assess(f, POLICY).score()).isLessThan(REVIEW);
  }

  @Test
  void accountBelowMinimumRequestsIsNotReportable() {
    WindowFeatures f = accountExtraction();
    f.setRequests(POLICY.account().minRequests() - 1);
    Scoring.Assessment a = Scoring.assess(f, POLICY);
    assertThat(a.reportable()).isFalse();
    assertThat(a.score()).isZero();
    assertThat(a.evidence()).isEmpty();

    f.setRequests(POLICY.account().minRequests());
    assertThat(Scoring.assess(f, POLICY).reportable()).isTrue();
  }

  @Test
  void accountUnknownTimingIsNoEvidenceOfRegularity() {
    WindowFeatures f = accountExtraction();
    f.setInterarrivalCv(null);
    Scoring.Assessment a = Scoring.assess(f, POLICY);
    // The timing term (weight 0.3 of 0.85) drops out: 0.15 + 0.85 * 0.7.
    assertThat(a.score()).isCloseTo(0.745, within(1e-9));
    assertThat(a.evidence()).contains("interarrival_cv=unknown");
  }

  @Test
  void accountEachSupportingSignalRaisesTheScore() {
    WindowFeatures weak = accountExtraction();
    weak.setCotShare(0);
    weak.setExtractionCapabilityShare(0);
    weak.setInterarrivalCv(2.0);
    weak.setPromptTokensCv(2.0);
    weak.setRatePerMinute(1);
    double floor = Scoring.assess(weak, POLICY).score();
    // Repetition and variety alone give the 0.15 floor.
    assertThat(floor).isCloseTo(0.15, within(1e-9));

    weak.setCotShare(0.9);
    assertThat(Scoring.assess(weak, POLICY).score()).isCloseTo(0.15 + 0.85 * 0.45, within(1e-9));
  }

  // --- campaign ---------------------------------------------------------------------------------------

  /** One template over many light, young accounts on many networks, eliciting reasoning. */
  private static WindowFeatures campaignWindow() {
    WindowFeatures f = base(KeySpace.TEMPLATE, "b0:abcd");
    f.setRequests(220);
    f.setDominantTemplateShare(0.95);
    f.setDominantTemplateSize(60);
    f.setDistinctAccounts(200);
    f.setDistinctSubnets(20);
    f.setDistinctAsns(8);
    f.setDistinctCountries(5);
    f.setTemplateVariety(0.9);
    f.setTemplateSpreadBits(3);
    f.setCotShare(0.8);
    f.setExtractionCapabilityShare(0.7);
    f.setYoungAccountShare(0.9);
    return f;
  }

  @Test
  void clearCampaignScoresAtLeastBlockLevel() {
    Scoring.Assessment a = Scoring.assess(campaignWindow(), POLICY);
    assertThat(a.reportable()).isTrue();
    assertThat(a.score()).isGreaterThanOrEqualTo(0.9);
    assertThat(a.evidence()).contains("accounts=200", "subnets=20", "young_account_share=0.900");
  }

  @Test
  void campaignClearBenignTemplateScoresBelowReview() {
    WindowFeatures f = campaignWindow();
    f.setDistinctAccounts(12);
    f.setDistinctSubnets(2);
    f.setRequests(240); // 19 requests of the template per account: heavy users, not a hydra
    f.setTemplateVariety(0.05);
    f.setTemplateSpreadBits(11);
    f.setCotShare(0.0);
    f.setExtractionCapabilityShare(0.1);
    f.setYoungAccountShare(0.0);
    Scoring.Assessment a = Scoring.assess(f, POLICY);
    assertThat(a.reportable()).isTrue();
    assertThat(a.score()).isLessThan(REVIEW);
  }

  @Test
  void campaignTemplateSentOnlyOnceIsNotReportable() {
    WindowFeatures f = campaignWindow();
    f.setDominantTemplateSize(1);
    assertThat(Scoring.assess(f, POLICY).reportable()).isFalse();
  }

  @Test
  void campaignTooFewAccountsToReportIsNotReportable() {
    WindowFeatures f = campaignWindow();
    f.setDistinctAccounts(POLICY.campaign().reportMinAccounts() - 1);
    assertThat(Scoring.assess(f, POLICY).reportable()).isFalse();
  }

  /** Reported at 0 so the replacement pattern can see a small new wave pick a throttled template up. */
  @Test
  void campaignBelowCampaignSizeIsReportedWithScoreZero() {
    WindowFeatures f = campaignWindow();
    f.setDistinctAccounts(POLICY.campaign().minAccounts() - 1);
    Scoring.Assessment a = Scoring.assess(f, POLICY);
    assertThat(a.reportable()).isTrue();
    assertThat(a.score()).isZero();
    assertThat(a.evidence()).contains("accounts=9");

    f.setDistinctAccounts(POLICY.campaign().minAccounts());
    assertThat(Scoring.assess(f, POLICY).score()).isPositive();
  }

  @Test
  void campaignShapedTemplateOnOneSubnetIsNotCampaignScored() {
    assertThat(POLICY.campaign().minSubnets()).isEqualTo(2);
    WindowFeatures f = campaignWindow();
    f.setDistinctSubnets(1);
    Scoring.Assessment a = Scoring.assess(f, POLICY);
    assertThat(a.reportable()).isTrue();
    assertThat(a.score()).isZero();

    f.setDistinctSubnets(2);
    assertThat(Scoring.assess(f, POLICY).score()).isPositive();
  }

  @Test
  void campaignOrganicViralPromptFromOldAccountsStaysBelowThrottle() {
    WindowFeatures f = campaignWindow();
    f.setDistinctAccounts(5_000);
    f.setDistinctSubnets(3_000);
    f.setDistinctAsns(400);
    f.setDistinctCountries(60);
    f.setRequests(5_200);
    f.setDominantTemplateShare(0.97);
    f.setTemplateVariety(0.3);
    f.setTemplateSpreadBits(2);
    f.setCotShare(0.1);
    f.setExtractionCapabilityShare(0.2);
    f.setYoungAccountShare(0.0);
    assertThat(Scoring.assess(f, POLICY).score()).isLessThan(THROTTLE);

    // Even with every other signal at full strength, old accounts each with its own card take 60% off.
    f.setTemplateVariety(1.0);
    f.setCotShare(1.0);
    assertThat(Scoring.assess(f, POLICY).score()).isCloseTo(0.4, within(1e-9)).isLessThan(THROTTLE);
    f.setAccountsPerPayment(1.0);
    assertThat(Scoring.assess(f, POLICY).score()).isCloseTo(0.4, within(1e-9));
  }

  @Test
  void campaignYoungAccountsOnAFewCardsAreBoughtWhileSignupsWithTheirOwnCardsAreNot() {
    WindowFeatures f = campaignWindow();
    f.setYoungAccountShare(1.0);
    f.setAccountsPerPayment(50.0);
    assertThat(Scoring.assess(f, POLICY).score()).isCloseTo(1.0, within(1e-9));
    assertThat(Scoring.assess(f, POLICY).evidence()).contains("accounts_per_payment=50.000");

    // A release day's signups: all young, each its own card: age counts half (0.4 + 0.6 * 0.5).
    f.setAccountsPerPayment(1.0);
    assertThat(Scoring.assess(f, POLICY).score()).isCloseTo(0.7, within(1e-9));

    // Established accounts sharing a company card are employees, not a hydra.
    f.setYoungAccountShare(0.0);
    f.setAccountsPerPayment(50.0);
    assertThat(Scoring.assess(f, POLICY).score()).isCloseTo(0.4, within(1e-9));

    // Cards alone, ages unknown.
    f.setYoungAccountShare(null);
    assertThat(Scoring.assess(f, POLICY).score()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void campaignUnknownAgesCountAsMiddleEvidence() {
    WindowFeatures f = campaignWindow();
    f.setYoungAccountShare(null);
    Scoring.Assessment unknown = Scoring.assess(f, POLICY);
    // Every other signal is full: base 1, times (0.4 + 0.6 * 0.6).
    assertThat(Scoring.UNKNOWN_AGE_EVIDENCE).isEqualTo(0.6);
    assertThat(unknown.score()).isCloseTo(0.76, within(1e-9));
    assertThat(unknown.evidence()).contains("young_account_share=unknown");

    f.setYoungAccountShare(0.0);
    double old = Scoring.assess(f, POLICY).score();
    f.setYoungAccountShare(1.0);
    double young = Scoring.assess(f, POLICY).score();
    assertThat(unknown.score()).isStrictlyBetween(old, young);
    // The 0.2:0.7 ramp gives 0.6 at a young share of 0.5.
    f.setYoungAccountShare(0.5);
    assertThat(Scoring.assess(f, POLICY).score()).isCloseTo(unknown.score(), within(1e-9));
  }

  @Test
  void campaignRequestsPerAccountCountsOnlyTheDominantTemplate() {
    WindowFeatures f = campaignWindow();
    f.setRequests(1_000);
    f.setDominantTemplateShare(0.5);
    f.setDistinctAccounts(100);
    assertThat(Scoring.requestsPerAccount(f)).isCloseTo(5.0, within(1e-9));
    f.setDistinctAccounts(10_000);
    assertThat(Scoring.requestsPerAccount(f)).isEqualTo(1.0); // never below one
  }

  // --- subnet -----------------------------------------------------------------------------------------

  /** Many young accounts behind one network, all sending one template. */
  private static WindowFeatures subnetWindow() {
    WindowFeatures f = base(KeySpace.SUBNET, "203.0.113.0/24");
    f.setRequests(60);
    f.setDistinctAccounts(40);
    f.setDominantTemplateShare(0.9);
    f.setTemplateVariety(0.9);
    f.setCotShare(0.8);
    f.setYoungAccountShare(0.9);
    return f;
  }

  @Test
  void subnetClearTemplateFarmScoresAtLeastBlockLevel() {
    Scoring.Assessment a = Scoring.assess(subnetWindow(), POLICY);
    assertThat(a.reportable()).isTrue();
    assertThat(a.score()).isGreaterThanOrEqualTo(0.9);
    assertThat(a.evidence()).contains("accounts=40", "requests=60", "dominant_template_share=0.900");
  }

  @Test
  void subnetOfficeNetworkWithDiverseTrafficScoresBelowReview() {
    WindowFeatures f = subnetWindow();
    f.setRequests(600);
    f.setDistinctAccounts(30);
    f.setDominantTemplateShare(0.2);
    f.setYoungAccountShare(0.05);
    Scoring.Assessment a = Scoring.assess(f, POLICY);
    assertThat(a.reportable()).isTrue();
    assertThat(a.score()).isLessThan(REVIEW);
  }

  @Test
  void subnetBelowMinimumAccountsOrRequestsIsNotReportable() {
    WindowFeatures f = subnetWindow();
    f.setDistinctAccounts(POLICY.subnet().minAccounts() - 1);
    assertThat(Scoring.assess(f, POLICY).reportable()).isFalse();

    f = subnetWindow();
    f.setRequests(POLICY.subnet().minRequests() - 1);
    assertThat(Scoring.assess(f, POLICY).reportable()).isFalse();

    f.setRequests(POLICY.subnet().minRequests());
    assertThat(Scoring.assess(f, POLICY).reportable()).isTrue();
  }

  @Test
  void subnetUnknownAgesCountAsMiddleEvidence() {
    WindowFeatures f = subnetWindow();
    f.setRequests(40); // one request per account: thin evidence full
    f.setDominantTemplateShare(1.0);
    f.setYoungAccountShare(null);
    Scoring.Assessment a = Scoring.assess(f, POLICY);
    // 0.3 + 0.7 * (0.2 + 0.2 + 0.3 + 0.3 * 0.6)
    assertThat(a.score()).isCloseTo(0.916, within(1e-9));
    assertThat(a.evidence()).contains("young_account_share=unknown");
  }

  // --- every key space ------------------------------------------------------------------------------

  @Test
  void eachKeySpaceIsScoredByItsOwnRules() {
    // A window that passes the account gate but has one account: a subnet would not report it.
    WindowFeatures f = base(KeySpace.ACCOUNT, "acct-1");
    f.setRequests(300);
    f.setDistinctAccounts(1);
    f.setNearDuplicateShare(0.95);
    f.setTemplateVariety(0.95);
    f.setDominantTemplateShare(1.0);
    f.setDominantTemplateSize(64);
    assertThat(Scoring.assess(f, POLICY).reportable()).isTrue();
    f.setKeySpace(KeySpace.SUBNET);
    assertThat(Scoring.assess(f, POLICY).reportable()).isFalse();
    f.setKeySpace(KeySpace.TEMPLATE);
    assertThat(Scoring.assess(f, POLICY).reportable()).isFalse();
  }

  @Test
  void scoresStayInsideZeroToOne() {
    WindowFeatures f = base(KeySpace.ACCOUNT, "acct-1");
    f.setRequests(1_000_000);
    f.setRatePerMinute(1e9);
    f.setNearDuplicateShare(5);
    f.setTemplateVariety(5);
    f.setCotShare(5);
    f.setExtractionCapabilityShare(5);
    f.setInterarrivalCv(-5.0);
    f.setPromptTokensCv(-5);
    assertThat(Scoring.assess(f, POLICY).score()).isEqualTo(1.0);
  }

  /** Neutral features: nothing suspicious, nothing missing. */
  static WindowFeatures base(KeySpace space, String key) {
    WindowFeatures f = new WindowFeatures();
    f.setKeySpace(space);
    f.setKey(key);
    f.setWindowStart(0L);
    f.setWindowEnd(600_000L);
    f.setRequests(0);
    f.setRatePerMinute(0);
    f.setInterarrivalCv(null);
    f.setPromptTokensMean(100);
    f.setPromptTokensCv(1.0);
    f.setCompletionTokensMean(400);
    f.setCompletionTokensCv(1.0);
    f.setNearDuplicateShare(0);
    f.setTemplateClusters(0);
    f.setDominantTemplateShare(0);
    f.setTemplateVariety(1.0);
    f.setTemplateSpreadBits(0);
    f.setTemplateCentroid(0L);
    f.setDominantTemplateSize(0);
    f.setCapabilityEntropy(0);
    f.setDominantCapability(Capability.CHAT.ordinal());
    f.setExtractionCapabilityShare(0);
    f.setCotShare(0);
    f.setDistinctAccounts(1);
    f.setDistinctSubnets(1);
    f.setDistinctAsns(1);
    f.setDistinctCountries(1);
    f.setYoungAccountShare(null);
    f.setAccounts(new ArrayList<>(List.of(key)));
    f.setSubnets(new ArrayList<>());
    f.setAsns(new ArrayList<>());
    f.setMembersTruncated(false);
    f.setScore(0.0);
    f.setEvidence(new ArrayList<>());
    return f;
  }
}
