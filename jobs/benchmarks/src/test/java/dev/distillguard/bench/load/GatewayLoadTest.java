package dev.distillguard.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distillguard.contract.ApiCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatewayLoadTest {

  private static final Instant START = Instant.parse("2026-03-02T00:00:00Z");

  @Test
  void theSameSeedMakesTheSameCalls() {
    GatewayLoad load = new GatewayLoad(2_000, 500, 100, 0.3, 0.1, 5, START);
    assertThat(all(load)).isEqualTo(all(load));
    assertThat(all(load)).isNotEqualTo(all(new GatewayLoad(2_000, 500, 100, 0.3, 0.1, 6, START)));
  }

  @Test
  void callsArriveInEventTimeOrderAtTheSetRateOverTheSpan() {
    GatewayLoad load = new GatewayLoad(6_001, 1_000, 100, 0, 0, 1, START);
    List<ApiCall> calls = all(load);
    assertThat(calls).hasSize(6_001);
    assertThat(calls.get(0).getEventTime()).isEqualTo(START);
    assertThat(calls.get(6_000).getEventTime()).isEqualTo(START.plus(Duration.ofMinutes(1)));
    assertThat(load.span()).isEqualTo(Duration.ofMinutes(1));
    for (int i = 1; i < calls.size(); i++) {
      assertThat(calls.get(i).getEventTime()).isAfterOrEqualTo(calls.get(i - 1).getEventTime());
    }
    assertThat(calls).extracting(ApiCall::getRequestId).doesNotHaveDuplicates();
  }

  @Test
  void theHotSubnetCarriesItsShareAndTheCampaignItsAccounts() {
    GatewayLoad load = new GatewayLoad(50_000, 10_000, 1_000, 0.3, 0.05, 9, START);
    int hot = 0;
    Set<String> hydra = new HashSet<>();
    Set<String> accounts = new HashSet<>();
    for (Iterator<ApiCall> it = load.calls(); it.hasNext(); ) {
      ApiCall call = it.next();
      hot += load.isHotSubnet(call.getClientIp()) ? 1 : 0;
      accounts.add(call.getAccountId());
      if (load.isCampaignAccount(call.getAccountId())) {
        hydra.add(call.getAccountId());
        assertThat(call.getCotElicitation()).isTrue();
      }
    }
    assertThat(hot / 50_000.0).isCloseTo(0.3, within(0.01));
    // The first 5% of the population is the campaign's; with five calls each, a few are never picked.
    assertThat(hydra).hasSizeBetween(480, 500)
        .allMatch(a -> Integer.parseInt(a.substring("hydra-".length())) < 500);
    assertThat(accounts).filteredOn(a -> !hydra.contains(a))
        .allMatch(a -> Integer.parseInt(a.substring("acct-".length())) >= 500);
    assertThat(accounts.size()).isGreaterThan(9_900); // five calls per account: nearly every one is active
  }

  @Test
  void aTopicNameSaysWhichLoadItHolds() {
    assertThat(new GatewayLoad(16_000_000, 100_000, 20_000, 0.3, 0.02, 7, START).topicName())
        .isEqualTo("bench.gateway.r16000000.a100000.c20000.h030.k002.s7");
  }

  @Test
  void nonsenseIsRefused() {
    assertThatThrownBy(() -> new GatewayLoad(0, 1, 1, 0, 0, 1, START)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new GatewayLoad(1, 1, 1, 1.5, 0, 1, START)).isInstanceOf(IllegalArgumentException.class);
  }

  private static List<ApiCall> all(GatewayLoad load) {
    List<ApiCall> out = new ArrayList<>();
    load.calls().forEachRemaining(out::add);
    return out;
  }
}
