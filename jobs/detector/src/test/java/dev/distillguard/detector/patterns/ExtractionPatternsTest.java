package dev.distillguard.detector.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.WindowFeatures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replacement predicate: fresh accounts taking over a throttled template on the same networks. */
class ExtractionPatternsTest {

  private static final long MINUTE = 60_000;
  private static final long TEMPLATE = 0x0F0F_1234_5678_9ABCL;
  private static final ExtractionPatterns.ReplacementRules RULES =
      new ExtractionPatterns.ReplacementRules(2, 0.5, 12, Duration.ofHours(6));

  /** The throttled campaign: ten accounts on two subnets of one ASN, window [0, 10m). */
  private static WindowFeatures throttled() {
    return window(0, List.of("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"),
        List.of("10.0.0.0/24", "10.0.1.0/24"), List.of("64500"), TEMPLATE, 0.8);
  }

  /** Three new accounts, same template, one of the same subnets, an hour later. */
  private static WindowFeatures replacement() {
    return window(60 * MINUTE, List.of("n1", "n2", "n3"), List.of("10.0.1.0/24"), List.of("64500"), TEMPLATE, 0.0);
  }

  @Test
  void freshAccountsOnTheSameSubnetWithTheSameTemplateAreAReplacement() {
    assertThat(ExtractionPatterns.isReplacement(throttled(), replacement(), RULES)).isTrue();
  }

  @Test
  void theSameTemplateWithinTheRadiusStillMatches() {
    WindowFeatures later = replacement();
    later.setTemplateCentroid(TEMPLATE ^ 0xFFFL); // 12 bits away
    assertThat(ExtractionPatterns.isReplacement(throttled(), later, RULES)).isTrue();
  }

  @Test
  void aDifferentTemplateIsNoReplacement() {
    WindowFeatures later = replacement();
    later.setTemplateCentroid(TEMPLATE ^ 0x1FFFL); // 13 bits away
    assertThat(ExtractionPatterns.isReplacement(throttled(), later, RULES)).isFalse();
  }

  @Test
  void onlyALaterWindowCanBeAReplacement() {
    WindowFeatures same = replacement();
    same.setWindowEnd(throttled().getWindowEnd());
    same.setWindowStart(throttled().getWindowStart());
    assertThat(ExtractionPatterns.isReplacement(throttled(), same, RULES)).isFalse();

    // One slide later, overlapping, with newcomers: their accounts were not in the throttled window.
    WindowFeatures next = replacement();
    next.setWindowStart(throttled().getWindowStart() + MINUTE);
    next.setWindowEnd(throttled().getWindowEnd() + MINUTE);
    assertThat(ExtractionPatterns.isReplacement(throttled(), next, RULES)).isTrue();
  }

  @Test
  void tooFewFreshAccountsIsNoReplacement() {
    WindowFeatures later = replacement();
    later.setAccounts(List.of("n1")); // one newcomer, rules want two
    assertThat(ExtractionPatterns.isReplacement(throttled(), later, RULES)).isFalse();
  }

  @Test
  void theSameAccountsCarryingOnIsNoReplacement() {
    WindowFeatures later = replacement();
    later.setAccounts(List.of("a1", "a2", "a3"));
    assertThat(ExtractionPatterns.isReplacement(throttled(), later, RULES)).isFalse();
  }

  @Test
  void freshAccountsMustBeAtLeastTheMinimumShare() {
    WindowFeatures later = replacement();
    later.setAccounts(List.of("a1", "a2", "a3", "n1", "n2")); // 2 of 5 fresh: below half
    assertThat(ExtractionPatterns.isReplacement(throttled(), later, RULES)).isFalse();

    later.setAccounts(List.of("a1", "a2", "n1", "n2")); // 2 of 4: exactly half
    assertThat(ExtractionPatterns.isReplacement(throttled(), later, RULES)).isTrue();
  }

  @Test
  void otherNetworksAreNoReplacement() {
    WindowFeatures later = replacement();
    later.setSubnets(List.of("192.0.2.0/24"));
    later.setAsns(List.of("65000"));
    assertThat(ExtractionPatterns.isReplacement(throttled(), later, RULES)).isFalse();
  }

  @Test
  void theSameAsnOnAnotherSubnetIsAReplacement() {
    WindowFeatures later = replacement();
    later.setSubnets(List.of("10.0.99.0/24"));
    assertThat(ExtractionPatterns.isReplacement(throttled(), later, RULES)).isTrue();

    later.setAsns(List.of());
    assertThat(ExtractionPatterns.isReplacement(throttled(), later, RULES)).isFalse();
  }

  @Test
  void freshAccountsAreThoseNotSeenBeforeInTheirOrder() {
    assertThat(ExtractionPatterns.freshAccounts(List.of("a", "b", "c"), List.of("d", "b", "a", "e")))
        .containsExactly("d", "e");
    assertThat(ExtractionPatterns.freshAccounts(List.of(), List.of("x", "y"))).containsExactly("x", "y");
    assertThat(ExtractionPatterns.freshAccounts(List.of("x"), List.of("x"))).isEmpty();
  }

  private static WindowFeatures window(long start, List<String> accounts, List<String> subnets, List<String> asns,
      long centroid, double score) {
    WindowFeatures f = ScoringTest.base(KeySpace.TEMPLATE, "b0:9abc");
    f.setWindowStart(start);
    f.setWindowEnd(start + 10 * MINUTE);
    f.setAccounts(new ArrayList<>(accounts));
    f.setDistinctAccounts(accounts.size());
    f.setSubnets(new ArrayList<>(subnets));
    f.setDistinctSubnets(subnets.size());
    f.setAsns(new ArrayList<>(asns));
    f.setDistinctAsns(asns.size());
    f.setTemplateCentroid(centroid);
    f.setScore(score);
    return f;
  }
}
