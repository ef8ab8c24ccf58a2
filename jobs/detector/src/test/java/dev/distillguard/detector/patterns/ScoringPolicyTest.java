package dev.distillguard.detector.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillguard.contract.ThrottleAction;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScoringPolicyTest {

  private static final ScoringPolicy.ActionRules RULES = ScoringPolicy.defaults().actions();

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(nullValues = "none", value = {
      "0, none", "0.49999, none", "0.5, REVIEW", "0.79999, REVIEW", "0.8, THROTTLE", "0.89999, THROTTLE",
      "0.9, BLOCK", "1, BLOCK"})
  void actionForScoreUsesInclusiveThresholds(double score, ThrottleAction action) {
    assertThat(RULES.actionFor(score)).isEqualTo(action);
  }

  @Test
  void eachActionAsksItsRateOfTheLimiter() {
    assertThat(RULES.requestsPerMinute(ThrottleAction.REVIEW)).isNull();
    assertThat(RULES.requestsPerMinute(ThrottleAction.THROTTLE)).isEqualTo(6);
    assertThat(RULES.requestsPerMinute(ThrottleAction.BLOCK)).isZero();
  }

  @Test
  void equalThresholdsAreAllowedAndTheStrongestActionWins() {
    ScoringPolicy.ActionRules flat = new ScoringPolicy.ActionRules(0.8, 0.8, 0.8, 1, 0, Duration.ofMinutes(5));
    assertThat(flat.actionFor(0.8)).isEqualTo(ThrottleAction.BLOCK);
    assertThat(flat.actionFor(0.79)).isNull();
  }

  @ParameterizedTest(name = "review={0} throttle={1} block={2}")
  @CsvSource({
      "0, 0.7, 0.9", "-0.1, 0.7, 0.9", "0.8, 0.7, 0.9", "0.5, 0.95, 0.9", "0.5, 0.7, 1.1", "NaN, 0.7, 0.9"})
  void thresholdsMustRiseInsideZeroToOne(double review, double throttle, double block) {
    assertThatThrownBy(() -> new ScoringPolicy.ActionRules(review, throttle, block, 6, 0, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("score.review <= score.throttle <= score.block");
  }

  @Test
  void rateLimitsMustNotBeNegativeAndTtlMustBePositive() {
    assertThatThrownBy(() -> new ScoringPolicy.ActionRules(0.5, 0.7, 0.9, -1, 0, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rate limits");
    assertThatThrownBy(() -> new ScoringPolicy.ActionRules(0.5, 0.7, 0.9, 6, -1, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rate limits");
    assertThatThrownBy(() -> new ScoringPolicy.ActionRules(0.5, 0.7, 0.9, 6, 0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decision.ttl");
    assertThatThrownBy(() -> new ScoringPolicy.ActionRules(0.5, 0.7, 0.9, 6, 0, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decision.ttl");
    assertThatCode(() -> new ScoringPolicy.ActionRules(0.5, 0.7, 0.9, 0, 0, Duration.ofMillis(1)))
        .doesNotThrowAnyException();
  }
}
