package dev.distillguard.workbench.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.simulate.ScenarioCatalogue;
import dev.distillguard.testkit.RealKafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every scenario of the catalogue, small, through the real job on a real broker, with the outcome its
 * class must have: benign traffic throttles nobody, a campaign is caught and most of its accounts named.
 */
class ScenarioCatalogueOnDetectorTest {

  @RegisterExtension
  static final RealKafkaExtension KAFKA = new RealKafkaExtension();

  /**
   * A quarter of the catalogue's size: a hydra cluster of 500 accounts, a proxy campaign of 100. Smaller,
   * a campaign of one request per account-hour sends too few requests per window to be told from
   * chance, and the test would measure the scale, not the detector.
   */
  private static final double SCALE = 0.25;
  /**
   * Low-and-slow sends one request per account every four hours: at full size 300 accounts make about
   * twelve requests a window, at a quarter three, which no detector can call a campaign.
   */
  private static final Map<String, Double> SCALE_BY_SCENARIO = Map.of("low-and-slow", 1.0);

  static Stream<String> benign() {
    return ScenarioCatalogue.standard().definitions().stream()
        .filter(d -> d.populations(SCALE).stream().noneMatch(p -> p.campaign()))
        .map(d -> d.name());
  }

  static Stream<String> adversarial() {
    return ScenarioCatalogue.standard().definitions().stream()
        .filter(d -> d.populations(SCALE).stream().anyMatch(p -> p.campaign()))
        .map(d -> d.name());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("benign")
  void benignTrafficThrottlesNobody(String scenario) throws Exception {
    ScenarioOutcome outcome = run(scenario);
    Scoreboard.BenignScore benign = outcome.score().benign();
    assertThat(benign.accounts()).isPositive();
    assertThat(benign.enforcedByPopulation()).as("benign accounts throttled or blocked, by population").isEmpty();
    assertThat(outcome.score().campaigns()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("adversarial")
  void aCampaignIsCaughtAndItsAccountsNamed(String scenario) throws Exception {
    ScenarioOutcome outcome = run(scenario);
    assertThat(outcome.score().campaigns()).isNotEmpty();
    for (Scoreboard.CampaignScore campaign : outcome.score().campaigns()) {
      assertThat(campaign.detected()).as("%s detected", campaign.campaignId()).isTrue();
      assertThat(campaign.enforcedShare()).as("%s accounts throttled or blocked", campaign.campaignId())
          .isGreaterThanOrEqualTo(0.8);
      if (campaign.requestsPerMinute() >= 100) {
        assertThat(campaign.timeToFirstDecision()).isLessThanOrEqualTo(Duration.ofMinutes(10));
      }
    }
    assertThat(outcome.score().benign().enforcedByPopulation()).as("benign accounts throttled").isEmpty();
  }

  private static ScenarioOutcome run(String scenario) throws Exception {
    Calibrator calibrator = new Calibrator(DetectorConfig.defaults(), Evaluate.BUDGET);
    Evaluate.Options options = new Evaluate.Options(List.of(), SCALE_BY_SCENARIO.getOrDefault(scenario, SCALE), 3, 2,
        null, Map.of(), "test");
    ScenarioOutcome outcome = Evaluate.evaluate(KAFKA.broker(), ScenarioCatalogue.standard().definition(scenario),
        options, calibrator);
    System.out.println(Evaluate.oneLine(outcome));
    return outcome;
  }
}
