package dev.distillguard.detector.features;

import static dev.distillguard.detector.features.CallEvents.frozen;
import static dev.distillguard.detector.features.CallEvents.T0;
import static dev.distillguard.detector.features.CallEvents.call;
import static dev.distillguard.detector.features.CallEvents.panes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.WindowFeatures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.apache.avro.generic.PrimitivesArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A pane built in pieces: merged from parts of its calls, it equals the pane the same calls give when added
 * one by one, however the calls are split and whatever order the parts come in; read side by side as a
 * window reads them, its pieces give the window the joined pane gives whenever {@link Panes#piecesReadAsOne}
 * says so. And a pane's member maps hashed or as sorted arrays: the same pane, the same window. All of it
 * including when every cap bites.
 */
class PanesMergeTest {

  private static final int SPLITS = 60;

  /** Sample of 8, 3 arrivals per pane, 4 members per set: all cut on the traffic below. */
  private static final FeatureSettings TIGHT = new FeatureSettings(Duration.ofMinutes(10), Duration.ofMinutes(1),
      8, 12, 3, 4, 5, Duration.ofDays(14));

  /** Hashed member maps (a template pane folded at once, a BATCH backfill's panes) hold what sorted ones do. */
  @ParameterizedTest
  @EnumSource(KeySpace.class)
  void panesWithHashedMemberMapsEqualPanesWithSortedOnes(KeySpace space) {
    for (FeatureSettings settings : List.of(TIGHT, FeatureSettings.defaults())) {
      List<CallEvent> calls = onePane(new Random(5), 400);
      Pane sorted = single(panes(calls, space, settings));
      Pane hashed = single(panes(calls, space, settings, Panes.MemberMaps.HASHED));

      assertThat(hashed.getAccounts()).isInstanceOf(HashMap.class);
      assertThat(sorted.getAccounts()).isInstanceOf(SortedArrayMap.class);
      assertThat(hashed).as("%s", space).isEqualTo(sorted);
      assertThat(WindowCalculator.compute(space, "k", T0 + 60_000, frozen(List.of(hashed)), settings))
          .isEqualTo(WindowCalculator.compute(space, "k", T0 + 60_000, frozen(List.of(sorted)), settings));
    }
  }

  @ParameterizedTest
  @EnumSource(KeySpace.class)
  void mergingPartsOfAPaneEqualsAddingItsCallsOneByOneWhenEveryCapBites(KeySpace space) {
    assertMergeEqualsSequential(space, TIGHT, 8);
  }

  @ParameterizedTest
  @EnumSource(KeySpace.class)
  void mergingPartsOfAPaneEqualsAddingItsCallsOneByOneWithDefaultCaps(KeySpace space) {
    assertMergeEqualsSequential(space, FeatureSettings.defaults(), 9);
  }

  @Test
  void panesOfDifferentStartsAreNotMerged() {
    assertThatThrownBy(() -> Panes.merge(Panes.empty(T0), Panes.empty(T0 + 60_000), KeySpace.TEMPLATE,
        FeatureSettings.defaults()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * A template or subnet key's window over a pane kept in frozen pieces (as a window end keeps calls for a
   * template pane frozen already) and a pane before it equals the window over the same pane joined,
   * whenever the pieces read as one; and the check is needed: with tight caps, pieces it turns away would
   * give another window. (Not an account's: its window reads arrivals pane by pane.)
   */
  @ParameterizedTest
  @EnumSource(value = KeySpace.class, names = {"TEMPLATE", "SUBNET"})
  void piecesThatReadAsOneGiveTheWindowOfTheJoinedPane(KeySpace space) {
    Random rnd = new Random(11);
    int readApart = 0;
    int differed = 0;
    for (FeatureSettings settings : List.of(FeatureSettings.defaults(), TIGHT)) {
      for (int round = 0; round < SPLITS; round++) {
        // A few calls, so that the pane before does not set the window's sampling levels by itself.
        List<CallEvent> earlier = onePane(rnd, 3);
        for (CallEvent call : earlier) {
          call.setEventTime(call.getEventTime() - 60_000);
        }
        List<CallEvent> calls = onePane(rnd, 1 + rnd.nextInt(round % 2 == 0 ? 30 : 400));
        Pane before = single(panes(earlier, space, settings));
        Pane joined = single(panes(calls, space, settings));
        List<FrozenPane> pieces = new ArrayList<>();
        for (List<CallEvent> part : split(calls, 1 + rnd.nextInt(4), rnd)) {
          pieces.add(CallEvents.frozen(List.of(single(panes(part, space, settings)))).get(0));
        }
        List<FrozenPane> window = new ArrayList<>(frozen(List.of(before)));
        window.addAll(pieces);
        WindowFeatures apart = WindowCalculator.compute(space, "k", T0 + 60_000, window, settings);
        WindowFeatures expected = WindowCalculator.compute(space, "k", T0 + 60_000, frozen(List.of(before, joined)),
            settings);
        if (Panes.piecesReadAsOne(pieces, settings.maxMembersPerPane())) {
          readApart++;
          assertThat(apart).as("%s, %d pieces, round %d", space, pieces.size(), round).isEqualTo(expected);
        } else if (!Objects.equals(apart, expected)) {
          differed++;
        }
      }
    }
    assertThat(readApart).isGreaterThan(SPLITS / 2);
    assertThat(differed).isPositive();
  }

  private static void assertMergeEqualsSequential(KeySpace space, FeatureSettings settings, long seed) {
    Random rnd = new Random(seed);
    List<CallEvent> calls = onePane(rnd, 400);
    Pane expected = single(panes(calls, space, settings));
    if (settings == TIGHT) {
      // The caps do bite, or the test would prove nothing about merging capped parts.
      assertThat(expected.getMembersTruncated()).isTrue();
      assertThat(expected.getSampleRank()).hasSize(settings.sampleSize());
      assertThat(expected.getAccounts()).hasSizeLessThanOrEqualTo(settings.maxMembersPerPane());
      if (space == KeySpace.ACCOUNT) {
        assertThat(expected.getOffsetsTruncated()).isTrue();
      } else {
        assertThat(expected.getAccountPayments()).isNotEmpty();
        assertThat(expected.getYoungAccounts()).isNotEmpty();
      }
    }
    for (int round = 0; round < SPLITS; round++) {
      List<List<CallEvent>> parts = split(calls, 1 + rnd.nextInt(12), rnd);
      List<Pane> partials = new ArrayList<>();
      for (List<CallEvent> part : parts) {
        // Hashed, as a fold thaws them, in every other round.
        partials.add(single(panes(part, space, settings,
            round % 2 == 1 ? Panes.MemberMaps.HASHED : Panes.MemberMaps.SORTED_ARRAYS)));
      }
      Collections.shuffle(partials, rnd);
      Pane merged = round % 2 == 0 ? partials.get(0) : Panes.empty(T0);
      for (Pane partial : round % 2 == 0 ? partials.subList(1, partials.size()) : partials) {
        Panes.merge(merged, partial, space, settings);
      }
      assertThat(merged).as("%s, %d parts, round %d", space, parts.size(), round).isEqualTo(expected);
    }
  }

  /** Non-empty parts of the calls, each in arrival order; a call's redelivery may land in another part. */
  private static List<List<CallEvent>> split(List<CallEvent> calls, int parts, Random rnd) {
    List<List<CallEvent>> out = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      out.add(new ArrayList<>());
    }
    for (CallEvent call : calls) {
      out.get(rnd.nextInt(parts)).add(call);
    }
    out.removeIf(List::isEmpty);
    return out;
  }

  private static Pane single(List<Pane> panes) {
    assertThat(panes).hasSize(1);
    return panes.get(0);
  }

  /**
   * Calls of one minute: two templates and noise, 30 accounts on 12 subnets, ASNs and countries some
   * unknown, ages young, old and unknown, payment cards shared or unknown, and redeliveries.
   */
  private static List<CallEvent> onePane(Random rnd, int n) {
    long template = 0x0F0F_1234_5678_9ABCL;
    List<CallEvent> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int account = rnd.nextInt(30);
      Long age = switch (account % 3) {
        case 0 -> null;
        case 1 -> CallEvents.DAY;
        default -> 400 * CallEvents.DAY;
      };
      CallEvent c = call("acct-" + account, T0 + rnd.nextInt(60_000))
          .rank(rnd.nextLong())
          .subnet("10.0." + rnd.nextInt(12) + ".0/24")
          .asn(rnd.nextInt(5) == 0 ? null : 64_500 + rnd.nextInt(9))
          .country(rnd.nextInt(5) == 0 ? null : "C" + rnd.nextInt(7))
          .ageMs(age)
          .tokens(50 + rnd.nextInt(2000), rnd.nextInt(4000))
          .simhash(rnd.nextBoolean() ? TemplateClustersTest.flip(template, rnd.nextInt(5), rnd) : rnd.nextLong())
          .cot(rnd.nextBoolean())
          .build();
      c.setOrgId(rnd.nextInt(4) == 0 ? null : "org-" + rnd.nextInt(5));
      c.setPaymentFingerprint(account % 4 == 0 ? null : "card-" + (account % 7));
      calls.add(c);
      if (rnd.nextInt(15) == 0) {
        calls.add(CallEvent.newBuilder(c).build()); // redelivered
      }
    }
    return calls;
  }
}
