package dev.distillguard.detector.patterns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RampTest {

  @ParameterizedTest(name = "0.3:0.8 at {0} -> {1}")
  @CsvSource({
      "-5, 0", "0, 0", "0.3, 0", "0.4, 0.2", "0.55, 0.5", "0.8, 1", "0.9, 1", "100, 1"})
  void increasingRampIsZeroAtNoneOneAtFullLinearBetween(double value, double evidence) {
    assertThat(new Ramp(0.3, 0.8).evidence(value)).isCloseTo(evidence, within(1e-12));
  }

  /** Less is more suspicious: timing variation 0.9 is no evidence, 0.3 full evidence. */
  @ParameterizedTest(name = "0.9:0.3 at {0} -> {1}")
  @CsvSource({
      "2, 0", "0.9, 0", "0.75, 0.25", "0.6, 0.5", "0.3, 1", "0, 1", "-1, 1"})
  void decreasingRampIsZeroAtNoneOneAtFullLinearBetween(double value, double evidence) {
    assertThat(new Ramp(0.9, 0.3).evidence(value)).isCloseTo(evidence, within(1e-12));
  }

  @Test
  void parsesNoneColonFull() {
    assertThat(Ramp.parse("0.3:0.8")).isEqualTo(new Ramp(0.3, 0.8));
    assertThat(Ramp.parse(" 3:30 ")).isEqualTo(new Ramp(3, 30));
    assertThat(Ramp.parse("10:4")).isEqualTo(new Ramp(10, 4));
    assertThat(Ramp.parse("-1:1.5")).isEqualTo(new Ramp(-1, 1.5));
  }

  @Test
  void printsAsItIsWritten() {
    assertThat(new Ramp(0.3, 0.8)).hasToString("0.3:0.8");
    assertThat(new Ramp(3, 30)).hasToString("3:30");
    assertThat(Ramp.parse(new Ramp(0.9, 0.3).toString())).isEqualTo(new Ramp(0.9, 0.3));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "0.3", "0.3:", ":0.8", "0.3:0.8:1", "a:b", "0.3-0.8", "0.3;0.8", "0,3:0,8"})
  void rejectsTextThatIsNotNoneColonFull(String text) {
    assertThatThrownBy(() -> Ramp.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("none:full");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.5:0.5", "NaN:1", "0:Infinity", "-Infinity:0"})
  void rejectsRampsWithoutTwoDifferentFiniteEnds(String text) {
    assertThatThrownBy(() -> Ramp.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two different finite ends");
  }
}
