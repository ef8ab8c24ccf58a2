package dev.distillguard.detector.features;

import static dev.distillguard.detector.features.CallEvents.frozen;
import static dev.distillguard.detector.features.CallEvents.DAY;
import static dev.distillguard.detector.features.CallEvents.MINUTE;
import static dev.distillguard.detector.features.CallEvents.T0;
import static dev.distillguard.detector.features.CallEvents.call;
import static dev.distillguard.detector.features.CallEvents.panes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.Capability;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.WindowFeatures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The live job and a backfill see the same calls in different orders; they agree only if panes, and so
 * window features, do not depend on the order calls are added in.
 */
class PanesOrderIndependenceTest {

  private static final int SHUFFLES = 40;
  private static final TemplateBands BANDS = new TemplateBands(4);

  /** Caps small enough to bite on the generated traffic: sample of 8, 3 arrivals per pane, 5 listed. */
  private static final FeatureSettings TIGHT = new FeatureSettings(Duration.ofMinutes(10), Duration.ofMinutes(1),
      8, 12, 3, 10_000, 5, Duration.ofDays(14));

  @ParameterizedTest
  @EnumSource(KeySpace.class)
  void panesAndWindowFeaturesDoNotDependOnArrivalOrderWithDefaultCaps(KeySpace space) {
    assertOrderIndependent(space, FeatureSettings.defaults(), traffic(new Random(7), 700));
  }

  @ParameterizedTest
  @EnumSource(KeySpace.class)
  void panesAndWindowFeaturesDoNotDependOnArrivalOrderWhenSampleAndArrivalCapsBite(KeySpace space) {
    List<CallEvent> calls = traffic(new Random(8), 700);
    Map<String, List<CallEvent>> byKey = byKey(calls, space);

    // The caps do bite on this traffic, or the test would prove nothing about them.
    boolean sampleFull = false;
    boolean offsetsTruncated = false;
    for (List<CallEvent> keyCalls : byKey.values()) {
      for (Pane pane : panes(keyCalls, space, TIGHT)) {
        sampleFull |= pane.getSampleRank().size() == TIGHT.sampleSize() && pane.getCount() > TIGHT.sampleSize();
        offsetsTruncated |= pane.getOffsetsTruncated();
      }
    }
    assertThat(sampleFull).isTrue();
    if (space == KeySpace.ACCOUNT) {
      assertThat(offsetsTruncated).isTrue();
    }

    assertOrderIndependent(space, TIGHT, calls);
  }

  @Test
  void aRedeliveredCallEntersTheSampleOnceWhicheverCopyComesFirst() {
    CallEvent first = call("a", T0 + 1_000).rank(42).simhash(0xAAL).build();
    CallEvent again = call("a", T0 + 1_000).rank(42).simhash(0xAAL).build();
    CallEvent other = call("a", T0 + 2_000).rank(7).simhash(0xBBL).build();

    Pane forward = panes(List.of(first, other, again), KeySpace.ACCOUNT).get(0);
    Pane backward = panes(List.of(again, other, first), KeySpace.ACCOUNT).get(0);

    assertThat(forward).isEqualTo(backward);
    assertThat(forward.getSampleRank()).containsExactly(7L, 42L);
    assertThat(forward.getSampleSimhash()).containsExactly(0xBBL, 0xAAL);
  }

  @Test
  void sampleKeepsTheSmallestRanksComparedUnsigned() {
    List<Long> ranks = new ArrayList<>();
    List<Long> simhashes = new ArrayList<>();
    long[] offered = {5, -1, 3, Long.MIN_VALUE, 9, 1, Long.MAX_VALUE, 2};
    for (long rank : offered) {
      Panes.addToSample(ranks, simhashes, rank, rank * 10, 4);
    }
    // -1 and MIN_VALUE are huge unsigned: they are the first to go.
    assertThat(ranks).containsExactly(1L, 2L, 3L, 5L);
    assertThat(simhashes).containsExactly(10L, 20L, 30L, 50L);
  }

  @Test
  void arrivalsKeepTheEarliestOffsetsSortedAndFlagTheCut() {
    Pane pane = Panes.empty(T0);
    for (int offset : new int[] {500, 100, 400, 100, 300}) {
      Panes.addArrival(pane, offset, 3);
    }
    assertThat(pane.getOffsets()).containsExactly(100, 100, 300);
    assertThat(pane.getOffsetsTruncated()).isTrue();

    Pane small = Panes.empty(T0);
    Panes.addArrival(small, 20, 3);
    Panes.addArrival(small, 10, 3);
    assertThat(small.getOffsets()).containsExactly(10, 20);
    assertThat(small.getOffsetsTruncated()).isFalse();
  }

  /** Past the member cap (features.max-members-per-pane) the kept members are a hash sample, not the first to come. */
  @ParameterizedTest
  @EnumSource(value = KeySpace.class, names = {"SUBNET", "TEMPLATE"})
  void panesDoNotDependOnArrivalOrderWhenTheMemberCapBites(KeySpace space) {
    FeatureSettings capped = new FeatureSettings(Duration.ofMinutes(10), Duration.ofMinutes(1), 64, 12, 128, 3,
        50_000, Duration.ofDays(14));
    List<CallEvent> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(call("acct-" + i, T0 + i * 1_000).subnet("198.51.100.0/24").ageMs(i * DAY).build());
    }
    List<CallEvent> reversed = new ArrayList<>(calls);
    Collections.reverse(reversed);

    List<Pane> forward = panes(calls, space, capped);
    List<Pane> backward = panes(reversed, space, capped);

    assertThat(forward.get(0).getMembersTruncated()).isTrue();
    assertThat(backward.get(0).getAccounts().keySet()).isEqualTo(forward.get(0).getAccounts().keySet());
    assertThat(backward).isEqualTo(forward);
  }

  // --- helpers -------------------------------------------------------------------------------------

  private static void assertOrderIndependent(KeySpace space, FeatureSettings settings, List<CallEvent> calls) {
    Map<String, List<CallEvent>> byKey = byKey(calls, space);
    assertThat(byKey).hasSizeGreaterThan(3);
    Random rnd = new Random(99);
    int reported = 0;
    for (Map.Entry<String, List<CallEvent>> entry : byKey.entrySet()) {
      List<CallEvent> keyCalls = new ArrayList<>(entry.getValue());
      List<Pane> expected = panes(keyCalls, space, settings);
      List<WindowFeatures> expectedFeatures = allWindows(space, entry.getKey(), expected, settings);
      // A template bucket holding only chance meetings reports no window; the templates' buckets do.
      reported += expectedFeatures.stream().anyMatch(f -> f != null) ? 1 : 0;
      for (int round = 0; round < SHUFFLES; round++) {
        Collections.shuffle(keyCalls, rnd);
        List<Pane> actual = panes(keyCalls, space, settings);
        assertThat(actual).as("%s key %s, shuffle %d", space, entry.getKey(), round).isEqualTo(expected);
        assertThat(allWindows(space, entry.getKey(), actual, settings))
            .as("%s key %s, shuffle %d", space, entry.getKey(), round)
            .isEqualTo(expectedFeatures);
      }
    }
    assertThat(reported).as("keys with a reported window").isGreaterThan(space == KeySpace.TEMPLATE ? 3 : byKey.size() - 1);
  }

  /** The features of every window end that can hold a call of the traffic. */
  private static List<WindowFeatures> allWindows(KeySpace space, String key, List<Pane> panes,
      FeatureSettings settings) {
    List<WindowFeatures> out = new ArrayList<>();
    for (long end = T0 + settings.slideMillis(); end <= T0 + 25 * MINUTE; end += settings.slideMillis()) {
      out.add(WindowCalculator.compute(space, key, end, frozen(panes), settings));
    }
    return out;
  }

  private static Map<String, List<CallEvent>> byKey(List<CallEvent> calls, KeySpace space) {
    Map<String, List<CallEvent>> out = new LinkedHashMap<>();
    for (CallEvent c : calls) {
      switch (space) {
        case ACCOUNT -> out.computeIfAbsent(c.getAccountId(), k -> new ArrayList<>()).add(c);
        case SUBNET -> out.computeIfAbsent(c.getSubnet(), k -> new ArrayList<>()).add(c);
        case TEMPLATE -> {
          for (int band = 0; band < BANDS.bands(); band++) {
            out.computeIfAbsent(TemplateBands.name(BANDS.key(c.getSimhash(), band)), k -> new ArrayList<>()).add(c);
          }
        }
      }
    }
    // Keys with a handful of calls prove little; keep the busy ones (template noise buckets included).
    out.values().removeIf(list -> list.size() < 3);
    return out;
  }

  /**
   * 15 minutes of mixed traffic: two templates, noise, redeliveries, young, old and unknown-age accounts,
   * missing ASNs and countries, every capability.
   */
  static List<CallEvent> traffic(Random rnd, int n) {
    long templateA = 0x0F0F_1234_5678_9ABCL;
    long templateB = 0x7777_0000_FFFF_1111L;
    String[] subnets = new String[6];
    for (int i = 0; i < subnets.length; i++) {
      subnets[i] = "10.0." + i + ".0/24";
    }
    Integer[] asns = {64500, 64501, 64502, null};
    String[] countries = {"NL", "DE", "US", null};
    Capability[] capabilities = Capability.values();
    List<CallEvent> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int account = rnd.nextInt(12);
      long t = T0 + (long) (rnd.nextDouble() * 15 * MINUTE);
      double kind = rnd.nextDouble();
      long simhash = kind < 0.5 ? TemplateClustersTest.flip(templateA, rnd.nextInt(4), rnd)
          : kind < 0.7 ? TemplateClustersTest.flip(templateB, 4 + rnd.nextInt(3), rnd)
          : rnd.nextLong();
      Long age = switch (account % 3) {
        case 0 -> null;
        case 1 -> (account + 1) * DAY / 2; // young
        default -> 30 * DAY + t - T0; // old
      };
      CallEvent c = call("acct-" + account, t)
          .rank(rnd.nextLong())
          .subnet(subnets[(account + rnd.nextInt(2)) % subnets.length])
          .asn(asns[rnd.nextInt(asns.length)])
          .country(countries[rnd.nextInt(countries.length)])
          .ageMs(age)
          .tokens(50 + rnd.nextInt(2000), rnd.nextInt(4000))
          .simhash(simhash)
          .capability(capabilities[rnd.nextInt(capabilities.length)])
          .cot(rnd.nextBoolean())
          .build();
      calls.add(c);
      if (rnd.nextInt(20) == 0) {
        calls.add(CallEvent.newBuilder(c).build()); // redelivered
      }
    }
    return calls;
  }
}
