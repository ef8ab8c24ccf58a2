package dev.distillguard.detector.decisions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.EntityType;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DecisionIdsTest {

  private static ThrottleDecision decision() {
    ThrottleDecision d = new ThrottleDecision();
    d.setDecisionId("");
    d.setEntityType(EntityType.CAMPAIGN);
    d.setEntityId("b1:3fa1");
    d.setAction(ThrottleAction.THROTTLE);
    d.setMaxRequestsPerMinute(6);
    d.setScore(0.8125);
    d.setReasons(new ArrayList<>(List.of("pattern=coordinated-template-campaign", "accounts=40")));
    d.setAccounts(new ArrayList<>(List.of("acct-1", "acct-2", "acct-3")));
    d.setSubnets(new ArrayList<>(List.of("10.0.0.0/24", "10.0.1.0/24")));
    d.setWindowStart(Instant.ofEpochMilli(1_000_000));
    d.setWindowEnd(Instant.ofEpochMilli(1_600_000));
    d.setDecidedAt(Instant.ofEpochMilli(1_600_000));
    d.setExpiresAt(Instant.ofEpochMilli(5_200_000));
    d.setDetectorVersion("1.0.0");
    return d;
  }

  @Test
  void idIs32LowercaseHexCharacters() {
    assertThat(DecisionIds.idOf(decision())).hasSize(32).matches("[0-9a-f]{32}");
  }

  @Test
  void sameContentGivesTheSameId() {
    assertThat(DecisionIds.idOf(decision())).isEqualTo(DecisionIds.idOf(decision()));
  }

  /** The id and the version are not content: a replay by a newer build de-duplicates against the old one. */
  @Test
  void idIgnoresItsOwnFieldAndTheDetectorVersion() {
    ThrottleDecision other = decision();
    other.setDecisionId("something else");
    other.setDetectorVersion("2.0.0");
    assertThat(DecisionIds.idOf(other)).isEqualTo(DecisionIds.idOf(decision()));
  }

  static Stream<Arguments> changes() {
    return Stream.of(
        change("entity type", d -> d.setEntityType(EntityType.SUBNET)),
        change("entity id", d -> d.setEntityId("b1:3fa2")),
        change("action", d -> d.setAction(ThrottleAction.BLOCK)),
        change("rate limit", d -> d.setMaxRequestsPerMinute(5)),
        change("rate limit removed", d -> d.setMaxRequestsPerMinute(null)),
        change("score", d -> d.setScore(0.8126)),
        change("window start", d -> d.setWindowStart(Instant.ofEpochMilli(1_000_001))),
        change("window end", d -> d.setWindowEnd(Instant.ofEpochMilli(1_600_001))),
        change("decided at", d -> d.setDecidedAt(Instant.ofEpochMilli(1_600_001))),
        change("expiry", d -> d.setExpiresAt(Instant.ofEpochMilli(5_200_001))),
        change("a reason added", d -> d.getReasons().add("windows=3")),
        change("a reason changed", d -> d.getReasons().set(1, "accounts=41")),
        change("reasons reordered", d -> d.setReasons(List.of("accounts=40", "pattern=coordinated-template-campaign"))),
        change("an account added", d -> d.getAccounts().add("acct-4")),
        change("an account removed", d -> d.getAccounts().remove("acct-2")),
        change("an account renamed", d -> d.getAccounts().set(0, "acct-9")),
        change("a subnet changed", d -> d.getSubnets().set(1, "10.0.2.0/24")),
        // Boundaries between values and between lists must not be ambiguous.
        change("two accounts joined into one", d -> d.setAccounts(List.of("acct-1\nacct-2", "acct-3"))),
        change("an account moved to the subnets", d -> {
          d.setAccounts(List.of("acct-1", "acct-2"));
          d.setSubnets(List.of("acct-3", "10.0.0.0/24", "10.0.1.0/24"));
        }),
        change("a reason moved to the accounts", d -> {
          d.setReasons(List.of("pattern=coordinated-template-campaign"));
          d.setAccounts(List.of("accounts=40", "acct-1", "acct-2", "acct-3"));
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void anyChangeOfContentGivesADifferentId(String what, Consumer<ThrottleDecision> change) {
    ThrottleDecision changed = decision();
    change.accept(changed);
    assertThat(DecisionIds.idOf(changed)).isNotEqualTo(DecisionIds.idOf(decision()));
  }

  private static Arguments change(String what, Consumer<ThrottleDecision> change) {
    return Arguments.of(what, change);
  }
}
