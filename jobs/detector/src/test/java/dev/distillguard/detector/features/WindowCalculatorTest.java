package dev.distillguard.detector.features;

import static dev.distillguard.detector.features.CallEvents.frozen;
import static dev.distillguard.detector.features.CallEvents.DAY;
import static dev.distillguard.detector.features.CallEvents.MINUTE;
import static dev.distillguard.detector.features.CallEvents.T0;
import static dev.distillguard.detector.features.CallEvents.call;
import static dev.distillguard.detector.features.CallEvents.panes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.distillguard.contract.Capability;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.WindowFeatures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowCalculatorTest {

  private static final FeatureSettings DEFAULTS = FeatureSettings.defaults();
  /** The window ending 10 minutes after T0: it holds the panes starting at T0 .. T0 + 9m. */
  private static final long END = T0 + 10 * MINUTE;
  private static final long TEMPLATE = 0x0F0F_1234_5678_9ABCL;

  // --- window bounds -------------------------------------------------------------------------------

  @Test
  void theWindowSampleIsWhatAddingEveryPanesSampleToOneKeeps() {
    Random random = new Random(11);
    for (int round = 0; round < 300; round++) {
      int cap = 1 + random.nextInt(40);
      List<Pane> window = new ArrayList<>();
      List<Long> expectedRanks = new ArrayList<>();
      List<Long> expectedSimhashes = new ArrayList<>();
      for (int p = random.nextInt(11); p > 0; p--) {
        Pane pane = Panes.empty(T0 + p * MINUTE);
        for (int i = random.nextInt(60); i > 0; i--) {
          // Few distinct ranks, so panes share some (one request delivered twice), and both signs, so the
          // unsigned order matters.
          long rank = (random.nextInt(200) - 100) * 0x0100_0000_0000_0001L;
          Panes.addToSample(pane.getSampleRank(), pane.getSampleSimhash(), rank, random.nextLong(), cap);
        }
        window.add(pane);
      }
      for (Pane pane : window) {
        for (int i = 0; i < pane.getSampleRank().size(); i++) {
          Panes.addToSample(expectedRanks, expectedSimhashes, pane.getSampleRank().get(i),
              pane.getSampleSimhash().get(i), cap);
        }
      }
      long[] expected = expectedSimhashes.stream().mapToLong(Long::longValue).toArray();
      assertThat(WindowCalculator.windowSample(frozen(window), cap)).as("round %d", round).containsExactly(expected);
    }
  }

  @Test
  void emptyWindowHasNoFeatures() {
    assertThat(WindowCalculator.compute(KeySpace.ACCOUNT, "a", END, frozen(List.of()), DEFAULTS)).isNull();

    // Panes exist, but none inside the window.
    List<CallEvent> outside = List.of(call("a", T0 - MINUTE).build(), call("a", END).build());
    assertThat(WindowCalculator.compute(KeySpace.ACCOUNT, "a", END, frozen(panes(outside, KeySpace.ACCOUNT)), DEFAULTS))
        .isNull();
  }

  @Test
  void windowHoldsOnlyThePanesInsideEndMinusSizeToEnd() {
    List<CallEvent> calls = new ArrayList<>();
    calls.add(call("a", T0 - 1).build()); // pane T0 - 1m: before the window
    calls.add(call("a", T0).build()); // first pane of the window
    calls.add(call("a", T0 + 1).build());
    calls.add(call("a", END - 1).build()); // last millisecond of the window
    calls.add(call("a", END).build()); // pane starting at the end: after the window
    calls.add(call("a", END + 5 * MINUTE).build());

    WindowFeatures f = WindowCalculator.compute(KeySpace.ACCOUNT, "a", END, frozen(panes(calls, KeySpace.ACCOUNT)),
        DEFAULTS);

    assertThat(f.getRequests()).isEqualTo(3);
    assertThat(f.getWindowStart()).isEqualTo(T0);
    assertThat(f.getWindowEnd()).isEqualTo(END);
    assertThat(f.getKeySpace()).isEqualTo(KeySpace.ACCOUNT);
    assertThat(f.getKey()).isEqualTo("a");
    assertThat(f.getScore()).isZero();
    assertThat(f.getEvidence()).isEmpty();
  }

  // --- volume, tokens, capabilities ----------------------------------------------------------------

  @Test
  void requestCountAndRatePerMinute() {
    List<CallEvent> calls = new ArrayList<>();
    for (int i = 0; i < 45; i++) {
      calls.add(call("a", T0 + i * 10_000L).build());
    }
    WindowFeatures f = account(calls);
    assertThat(f.getRequests()).isEqualTo(45);
    assertThat(f.getRatePerMinute()).isCloseTo(4.5, within(1e-12));
  }

  @Test
  void tokenMeansAndCoefficientsOfVariation() {
    List<CallEvent> calls = List.of(
        call("a", T0).tokens(100, 400).build(),
        call("a", T0 + 1_000).tokens(200, 400).build(),
        call("a", T0 + 2 * MINUTE).tokens(300, 400).build());
    WindowFeatures f = account(calls);

    assertThat(f.getPromptTokensMean()).isCloseTo(200.0, within(1e-9));
    // Population standard deviation sqrt(20000 / 3) over the mean 200.
    assertThat(f.getPromptTokensCv()).isCloseTo(Math.sqrt(20_000.0 / 3) / 200, within(1e-9));
    assertThat(f.getCompletionTokensMean()).isCloseTo(400.0, within(1e-9));
    assertThat(f.getCompletionTokensCv()).isCloseTo(0.0, within(1e-9));
  }

  @Test
  void tokenVariationIsZeroForOneRequestOrNoTokens() {
    assertThat(account(List.of(call("a", T0).tokens(123, 0).build())).getPromptTokensCv()).isZero();
    WindowFeatures f = account(List.of(call("a", T0).tokens(0, 0).build(), call("a", T0 + 1).tokens(0, 0).build()));
    assertThat(f.getPromptTokensCv()).isZero();
    assertThat(f.getCompletionTokensMean()).isZero();
  }

  @Test
  void cotShare() {
    List<CallEvent> calls = List.of(
        call("a", T0).cot(true).build(),
        call("a", T0 + 1).cot(false).build(),
        call("a", T0 + 2).cot(false).build(),
        call("a", T0 + 3 * MINUTE).cot(false).build());
    assertThat(account(calls).getCotShare()).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void capabilityEntropyIsZeroForOneCapability() {
    List<CallEvent> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(call("a", T0 + i * MINUTE / 2).capability(Capability.CODE).build());
    }
    WindowFeatures f = account(calls);
    assertThat(f.getCapabilityEntropy()).isCloseTo(0.0, within(1e-12));
    assertThat(f.getDominantCapability()).isEqualTo(Capability.CODE.ordinal());
    assertThat(f.getExtractionCapabilityShare()).isEqualTo(1.0);
  }

  @Test
  void capabilityEntropyIsOneForAUniformSpreadOverAllCapabilities() {
    List<CallEvent> calls = new ArrayList<>();
    int i = 0;
    for (int round = 0; round < 3; round++) {
      for (Capability c : Capability.values()) {
        calls.add(call("a", T0 + 1_000L * i++).capability(c).build());
      }
    }
    WindowFeatures f = account(calls);
    assertThat(f.getCapabilityEntropy()).isCloseTo(1.0, within(1e-12));
    // REASONING, CODE, TOOL_USE and AGENTIC out of the seven.
    assertThat(f.getExtractionCapabilityShare()).isCloseTo(4.0 / 7, within(1e-12));
  }

  @Test
  void extractionShareCountsReasoningCodeToolUseAndAgenticOnly() {
    List<CallEvent> calls = List.of(
        call("a", T0).capability(Capability.REASONING).build(),
        call("a", T0 + 1).capability(Capability.TOOL_USE).build(),
        call("a", T0 + 2).capability(Capability.AGENTIC).build(),
        call("a", T0 + 3).capability(Capability.CHAT).build(),
        call("a", T0 + 4).capability(Capability.VISION).build(),
        call("a", T0 + 5).capability(Capability.OTHER).build(),
        call("a", T0 + 6).capability(Capability.CHAT).build(),
        call("a", T0 + 7).capability(Capability.CHAT).build());
    WindowFeatures f = account(calls);
    assertThat(f.getExtractionCapabilityShare()).isCloseTo(3.0 / 8, within(1e-12));
    assertThat(f.getDominantCapability()).isEqualTo(Capability.CHAT.ordinal());
    assertThat(f.getCapabilityEntropy()).isBetween(0.0, 1.0);
  }

  // --- inter-arrival timing ------------------------------------------------------------------------

  @Test
  void periodicArrivalsAcrossPanesHaveNoTimingVariation() {
    List<CallEvent> calls = new ArrayList<>();
    for (long t = T0 + 3_000; t < END; t += 7_000) { // every 7 s, across all ten panes
      calls.add(call("a", t).build());
    }
    WindowFeatures f = account(calls);
    assertThat(f.getInterarrivalCv()).isNotNull();
    assertThat(f.getInterarrivalCv()).isCloseTo(0.0, within(1e-9));
  }

  @Test
  void poissonArrivalsHaveTimingVariationNearOne() {
    Random rnd = new Random(3);
    List<CallEvent> calls = new ArrayList<>();
    double t = T0;
    while (true) {
      t += -Math.log(1 - rnd.nextDouble()) * 2_000; // mean gap 2 s
      if (t >= END) {
        break;
      }
      calls.add(call("a", (long) t).build());
    }
    assertThat(calls).hasSizeGreaterThan(200);
    WindowFeatures f = account(calls);
    assertThat(f.getInterarrivalCv()).isCloseTo(1.0, within(0.15));
  }

  @Test
  void timingNeedsThreeArrivals() {
    assertThat(account(List.of(call("a", T0).build(), call("a", T0 + 5 * MINUTE).build())).getInterarrivalCv())
        .isNull();
    Double threeArrivals = account(List.of(call("a", T0).build(), call("a", T0 + 2 * MINUTE).build(),
        call("a", T0 + 4 * MINUTE).build())).getInterarrivalCv();
    assertThat(threeArrivals).isNotNull();
    assertThat(threeArrivals).isCloseTo(0.0, within(1e-9));
  }

  @Test
  void noGapIsCountedAcrossAPaneWhoseArrivalsWereCut() {
    // Three calls 10 s apart in each of two panes, keeping 2 arrivals per pane. The true gap from the
    // first pane's last call (20 s) to the next pane is unknown, so only the 10 s gaps inside panes count.
    FeatureSettings twoArrivals = new FeatureSettings(Duration.ofMinutes(10), Duration.ofMinutes(1), 64, 12, 2,
        10_000, 50_000, Duration.ofDays(14));
    List<CallEvent> calls = new ArrayList<>();
    for (long pane : new long[] {T0, T0 + MINUTE}) {
      for (int i = 0; i < 3; i++) {
        calls.add(call("a", pane + i * 10_000L).build());
      }
    }
    WindowFeatures f = WindowCalculator.compute(KeySpace.ACCOUNT, "a", END, frozen(panes(calls, KeySpace.ACCOUNT,
        twoArrivals)), twoArrivals);
    assertThat(f.getRequests()).isEqualTo(6);
    assertThat(f.getInterarrivalCv()).isCloseTo(0.0, within(1e-9));
  }

  @Test
  void timingIsOnlyMeasuredForAccounts() {
    List<CallEvent> calls = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      calls.add(call("acct-" + (i % 6), T0 + i * 7_000L).build());
    }
    assertThat(compute(KeySpace.SUBNET, calls).getInterarrivalCv()).isNull();
  }

  // --- members -------------------------------------------------------------------------------------

  @Test
  void subnetWindowCountsDistinctAccountsSubnetsAsnsAndCountries() {
    List<CallEvent> calls = List.of(
        call("a1", T0).subnet("10.0.0.0/24").asn(1).country("NL").build(),
        call("a1", T0 + MINUTE).subnet("10.0.0.0/24").asn(1).country("NL").build(),
        call("a2", T0 + 2 * MINUTE).subnet("10.0.1.0/24").asn(2).country("DE").build(),
        call("a3", T0 + 3 * MINUTE).subnet("10.0.1.0/24").asn(null).country(null).build(),
        call("a4", T0 + 9 * MINUTE).subnet("10.0.0.0/24").asn(2).country("US").build());

    WindowFeatures f = compute(KeySpace.SUBNET, calls);

    assertThat(f.getRequests()).isEqualTo(5);
    assertThat(f.getDistinctAccounts()).isEqualTo(4);
    assertThat(f.getDistinctSubnets()).isEqualTo(2);
    assertThat(f.getDistinctAsns()).isEqualTo(2);
    assertThat(f.getDistinctCountries()).isEqualTo(3);
    assertThat(f.getAccounts()).containsExactly("a1", "a2", "a3", "a4");
    assertThat(f.getSubnets()).containsExactly("10.0.0.0/24", "10.0.1.0/24");
    assertThat(f.getAsns()).containsExactly("1", "2");
    assertThat(f.getMembersTruncated()).isFalse();
  }

  @Test
  void accountWindowListsOnlyItsOwnAccountAndTheSubnetsItUsed() {
    List<CallEvent> calls = List.of(
        call("a", T0).subnet("10.0.0.0/24").build(),
        call("a", T0 + MINUTE).subnet("10.9.0.0/24").build());
    WindowFeatures f = account(calls);
    assertThat(f.getDistinctAccounts()).isEqualTo(1);
    assertThat(f.getAccounts()).containsExactly("a");
    assertThat(f.getDistinctSubnets()).isEqualTo(2);
  }

  @Test
  void youngAccountShareCountsOnlyAccountsOfKnownAge() {
    List<CallEvent> calls = List.of(
        call("young", T0).ageMs(DAY).build(),
        call("old", T0 + 1).ageMs(30 * DAY).build(),
        call("old2", T0 + 2).ageMs(14 * DAY).build(), // exactly the young age: not young
        call("unknown", T0 + 3).ageMs(null).build());
    WindowFeatures f = compute(KeySpace.SUBNET, calls);
    assertThat(f.getYoungAccountShare()).isCloseTo(1.0 / 3, within(1e-12));
  }

  @Test
  void youngAccountShareIsUnknownWhenNoAgeIsKnown() {
    List<CallEvent> calls = List.of(call("a", T0).build(), call("b", T0 + MINUTE).build());
    assertThat(compute(KeySpace.SUBNET, calls).getYoungAccountShare()).isNull();
  }

  @Test
  void anAccountYoungInAnyCallOfTheWindowIsYoung() {
    List<CallEvent> calls = List.of(
        call("a", T0).ageMs(13 * DAY).build(),
        call("a", T0 + 5 * MINUTE).ageMs(15 * DAY).build(),
        call("b", T0 + 6 * MINUTE).ageMs(20 * DAY).build());
    assertThat(compute(KeySpace.SUBNET, calls).getYoungAccountShare()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void listedAccountsAreCappedSortedAndFlagged() {
    FeatureSettings listThree = new FeatureSettings(Duration.ofMinutes(10), Duration.ofMinutes(1), 64, 12, 128,
        10_000, 3, Duration.ofDays(14));
    List<CallEvent> calls = new ArrayList<>();
    for (String a : new String[] {"e", "c", "a", "d", "b"}) {
      calls.add(call(a, T0 + a.charAt(0)).build());
    }
    WindowFeatures f = WindowCalculator.compute(KeySpace.SUBNET, "s", END, frozen(panes(calls, KeySpace.SUBNET, listThree)),
        listThree);
    assertThat(f.getDistinctAccounts()).isEqualTo(5);
    assertThat(f.getAccounts()).containsExactly("a", "b", "c");
    assertThat(f.getMembersTruncated()).isTrue();
  }

  // --- templates -----------------------------------------------------------------------------------

  @Test
  void slotFilledTemplateFromOneAccountIsOneDominantVariedTemplate() {
    Random rnd = new Random(5);
    long[] variants = TemplateClustersTest.distinctVariants(TEMPLATE, 40, 1, 3, rnd);
    List<CallEvent> calls = new ArrayList<>();
    for (int i = 0; i < variants.length; i++) {
      calls.add(call("a", T0 + i * 10_000L).rank(rnd.nextLong()).simhash(variants[i]).build());
    }
    WindowFeatures f = account(calls);
    assertThat(f.getNearDuplicateShare()).isEqualTo(1.0);
    assertThat(f.getDominantTemplateShare()).isEqualTo(1.0);
    assertThat(f.getDominantTemplateSize()).isEqualTo(40);
    assertThat(f.getTemplateVariety()).isEqualTo(1.0);
    assertThat(f.getTemplateCentroid()).isEqualTo(TEMPLATE);
    assertThat(f.getTemplateClusters()).isEqualTo(1);
  }

  @Test
  void templateFeaturesComeFromABoundedSample() {
    FeatureSettings sampleEight = new FeatureSettings(Duration.ofMinutes(10), Duration.ofMinutes(1), 8, 12, 128,
        10_000, 50_000, Duration.ofDays(14));
    Random rnd = new Random(6);
    List<CallEvent> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      calls.add(call("a", T0 + i * 5_000L).rank(rnd.nextLong()).simhash(TEMPLATE).build());
    }
    WindowFeatures f = WindowCalculator.compute(KeySpace.ACCOUNT, "a", END, frozen(panes(calls, KeySpace.ACCOUNT,
        sampleEight)), sampleEight);
    assertThat(f.getRequests()).isEqualTo(100);
    assertThat(f.getDominantTemplateSize()).isEqualTo(8);
    assertThat(f.getTemplateVariety()).isZero();
  }

  /**
   * A template key's bucket also gets unrelated prompts that share one LSH band with the template by
   * chance. Only accounts and networks whose prompts are near the dominant template count.
   */
  @Test
  void templateKeyCountsOnlyMembersNearTheDominantTemplate() {
    Random rnd = new Random(9);
    List<CallEvent> calls = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      for (int j = 0; j < 3; j++) {
        calls.add(call("camp-" + i, T0 + (i * 3 + j) * 10_000L)
            .rank(rnd.nextLong())
            .subnet("10.0." + (i % 4) + ".0/24")
            .asn(64500 + i % 2)
            .country(i % 2 == 0 ? "NL" : "DE")
            .ageMs(DAY)
            .simhash(TemplateClustersTest.flip(TEMPLATE, 1 + rnd.nextInt(2), rnd))
            .build());
      }
    }
    // Same low 16 bits (band 0) as the template, the other 48 bits far from it.
    long unrelated = (~TEMPLATE & 0xFFFF_FFFF_FFFF_0000L) | (TEMPLATE & 0xFFFFL);
    assertThat(Long.bitCount(unrelated ^ TEMPLATE)).isGreaterThan(24);
    calls.add(call("bystander-1", T0 + 7 * MINUTE).subnet("192.0.2.0/24").asn(64999).country("US")
        .ageMs(400 * DAY).simhash(unrelated).build());
    calls.add(call("bystander-2", T0 + 8 * MINUTE).subnet("198.51.100.0/24").asn(65000).country("FR")
        .ageMs(400 * DAY).simhash(unrelated ^ (1L << 40)).build());

    WindowFeatures f = compute(KeySpace.TEMPLATE, calls);

    assertThat(f.getRequests()).isEqualTo(38); // every call in the bucket counts as a request
    assertThat(f.getTemplateCentroid()).isEqualTo(TEMPLATE);
    assertThat(f.getDistinctAccounts()).isEqualTo(12);
    assertThat(f.getAccounts()).allMatch(a -> a.startsWith("camp-")).hasSize(12);
    assertThat(f.getDistinctSubnets()).isEqualTo(4);
    assertThat(f.getSubnets()).doesNotContain("192.0.2.0/24", "198.51.100.0/24");
    assertThat(f.getDistinctAsns()).isEqualTo(2);
    assertThat(f.getDistinctCountries()).isEqualTo(2);
    assertThat(f.getYoungAccountShare()).isEqualTo(1.0); // the old bystanders are not counted
  }

  /**
   * A member is represented by its first prompt in representative order across the whole window, near
   * the template or not: an account whose representative is an unrelated prompt is not the template's,
   * even if another pane holds a near one.
   */
  @Test
  void aTemplateMemberIsJudgedByItsRepresentativeAcrossAllPanes() {
    Random rnd = new Random(11);
    List<CallEvent> calls = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      calls.add(call("camp-" + i, T0 + i * 10_000L).rank(rnd.nextLong())
          .simhash(TemplateClustersTest.flip(TEMPLATE, 1, rnd)).build());
    }
    long near = TemplateClustersTest.flip(TEMPLATE, 2, rnd);
    long farFirst = 0;
    long farLater = 0;
    while (farFirst == 0 || farLater == 0) {
      long far = (rnd.nextLong() & 0xFFFF_FFFF_FFFF_0000L) | (TEMPLATE & 0xFFFFL);
      if (Long.bitCount(far ^ TEMPLATE) <= DEFAULTS.clusterRadiusBits()) {
        continue;
      }
      boolean first = Long.compareUnsigned(Panes.representativeOrder(far), Panes.representativeOrder(near)) < 0;
      if (first && farFirst == 0) {
        farFirst = far;
      } else if (!first && farLater == 0) {
        farLater = far;
      }
    }
    calls.add(call("represented-by-far", T0 + 2 * MINUTE).simhash(near).build());
    calls.add(call("represented-by-far", T0 + 5 * MINUTE).simhash(farFirst).build());
    calls.add(call("represented-by-near", T0 + 2 * MINUTE).simhash(near).build());
    calls.add(call("represented-by-near", T0 + 5 * MINUTE).simhash(farLater).build());

    WindowFeatures f = compute(KeySpace.TEMPLATE, calls);

    assertThat(f.getTemplateCentroid()).isEqualTo(TEMPLATE);
    assertThat(f.getAccounts()).contains("represented-by-near").doesNotContain("represented-by-far");
  }

  @Test
  void subnetKeyCountsEveryMemberWhateverItsPrompt() {
    List<CallEvent> calls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      calls.add(call("camp-" + i, T0 + i).simhash(TEMPLATE).build());
    }
    calls.add(call("other", T0 + MINUTE).simhash(~TEMPLATE).build());
    assertThat(compute(KeySpace.SUBNET, calls).getDistinctAccounts()).isEqualTo(7);
  }

  @Test
  void aTemplateWindowWhoseSampleSharesNoTemplateIsNotReportedAndOneSharedPromptMakesItReported() {
    Random rnd = new Random(21);
    List<CallEvent> chance = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      chance.add(call("acct-" + i, T0 + i * 1_000).rank(i).simhash(rnd.nextLong()).build());
    }
    assertThat(WindowCalculator.compute(KeySpace.TEMPLATE, "key", END, frozen(panes(chance, KeySpace.TEMPLATE)), DEFAULTS))
        .isNull();

    List<CallEvent> withPair = new ArrayList<>(chance);
    long shared = chance.get(0).getSimhash();
    withPair.add(call("acct-pair", T0 + 50_000).rank(41).simhash(shared ^ 0b101).build());
    WindowFeatures f = compute(KeySpace.TEMPLATE, withPair);
    assertThat(f.getDominantTemplateSize()).isEqualTo(2);
    assertThat(f.getAccounts()).containsExactly("acct-0", "acct-pair");
  }

  // --- helpers -------------------------------------------------------------------------------------

  private static WindowFeatures account(List<CallEvent> calls) {
    return compute(KeySpace.ACCOUNT, calls);
  }

  private static WindowFeatures compute(KeySpace space, List<CallEvent> calls) {
    List<Pane> panes = panes(calls, space);
    // An account's key is its id; other keys' names do not enter the features.
    String key = space == KeySpace.ACCOUNT ? calls.get(0).getAccountId() : "key";
    WindowFeatures f = WindowCalculator.compute(space, key, END, frozen(panes), DEFAULTS);
    assertThat(f).isNotNull();
    return f;
  }
}
