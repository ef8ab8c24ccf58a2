package dev.distillguard.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeterminismTest {

  private static final Instant START = Instant.parse("2025-03-01T12:00:00Z");

  @Test
  void sameSeedScaleAndStartGiveByteIdenticalCallsAndLabels() {
    for (String name : List.of("hydra-cluster", "university-cohort", "hydra-in-proxy-25")) {
      String first = digest(ScenarioCatalogue.standard().scenario(name, 42, 0.05, START));
      String second = digest(ScenarioCatalogue.standard().scenario(name, 42, 0.05, START));
      assertThat(second).as(name).isEqualTo(first);
    }
  }

  @Test
  void aScenarioIsReiterableFromTheStart() {
    Scenario scenario = ScenarioCatalogue.standard().scenario("ban-and-replace", 5, 0.05, START);
    assertThat(digest(scenario)).isEqualTo(digest(scenario));
  }

  @Test
  void seedScaleAndStartEachChangeTheOutput() {
    String base = digest(ScenarioCatalogue.standard().scenario("hydra-cluster", 42, 0.05, START));
    assertThat(digest(ScenarioCatalogue.standard().scenario("hydra-cluster", 43, 0.05, START))).isNotEqualTo(base);
    assertThat(digest(ScenarioCatalogue.standard().scenario("hydra-cluster", 42, 0.06, START))).isNotEqualTo(base);
    assertThat(digest(ScenarioCatalogue.standard().scenario("hydra-cluster", 42, 0.05,
        START.plus(Duration.ofMinutes(1))))).isNotEqualTo(base);
  }

  @Test
  void aScenarioAloneEqualsItsPartOfAll() {
    Scenario alone = ScenarioCatalogue.standard().scenario("residential-rotation", 9, 0.05, START);
    Scenario fromAll = Scenario.concurrent("all", List.of(alone));
    assertThat(digest(fromAll)).isEqualTo(digest(alone));
    assertThat(ScenarioCatalogue.standard().all(9, 0.05, START).parts())
        .extracting(Scenario.Part::seed).contains(alone.parts().get(0).seed()).doesNotHaveDuplicates();
  }

  @Test
  void customMixesAreSeededToo() {
    ScenarioSpec spec = ScenarioSpec.builder("demo").seed(11).start(START).organicScale(0.05)
        .campaign(CampaignSpec.builder("demo:c1").accounts(50).proxyPool(80, 6, 4).requestsPerHourPerAccount(2)
            .startAfter(Duration.ofMinutes(20)).build())
        .build();
    assertThat(digest(spec.scenario())).isEqualTo(digest(spec.scenario()));
    assertThat(Calls.of(spec.scenario()).campaign().accounts()).isEqualTo(50);
  }

  /** SHA-256 over every call's Avro bytes and every label, in stream order. */
  private static String digest(Scenario scenario) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      ApiCallAvro avro = new ApiCallAvro();
      for (LabelledCall call : scenario) {
        sha.update(avro.encode(call.call()));
        sha.update(call.label().toString().getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
