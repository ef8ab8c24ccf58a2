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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.generic.PrimitivesArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A pane's member maps hashed or as sorted arrays: the same pane, the same window, including when every cap bites. */
class PaneMemberMapsTest {

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
