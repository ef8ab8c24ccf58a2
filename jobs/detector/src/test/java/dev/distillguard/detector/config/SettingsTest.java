package dev.distillguard.detector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.detector.patterns.Ramp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {

  @TempDir
  Path dir;

  @Test
  void defaultsHoldEveryDocumentedKey() {
    Map<String, String> defaults = Settings.defaults();
    assertThat(defaults).containsEntry("window.size", "10m").containsEntry("score.throttle", "0.8")
        .containsEntry("detector.version", "");
    assertThat(Settings.fromArgs().string("input.topic")).isEqualTo("gateway.api-calls");
  }

  @Test
  void flagsAsKeySpaceValue() {
    Settings s = Settings.fromArgs("--input.topic", "calls", "--parallelism", "4");
    assertThat(s.string("input.topic")).isEqualTo("calls");
    assertThat(s.integer("parallelism", 0, 8)).isEqualTo(4);
  }

  @Test
  void flagsAsKeyEqualsValue() {
    Settings s = Settings.fromArgs("--input.topic=calls", "--ramp.account.cot-share=0.1:0.9", "--detector.version=");
    assertThat(s.string("input.topic")).isEqualTo("calls");
    assertThat(s.ramp("ramp.account.cot-share")).isEqualTo(new Ramp(0.1, 0.9));
    assertThat(s.string("detector.version")).isEmpty();
  }

  @Test
  void configFileOverridesDefaultsAndFlagsOverrideTheFile() throws IOException {
    Path file = properties("""
        # a comment
        input.topic = from-file
        group.id=file-group
        window.size=20m
        """);
    Settings s = Settings.fromArgs("--group.id", "flag-group", "--config", file.toString());
    assertThat(s.string("input.topic")).isEqualTo("from-file"); // trimmed
    assertThat(s.string("group.id")).isEqualTo("flag-group"); // the flag wins, even given first
    assertThat(s.duration("window.size")).isEqualTo(Duration.ofMinutes(20));
    assertThat(s.string("throttle.topic")).isEqualTo("distill-guard.throttle"); // untouched default

    assertThat(Settings.fromArgs("--config=" + file, "--window.size=30m").duration("window.size"))
        .isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void unknownFlagIsRejectedNamingIt() {
    assertThatThrownBy(() -> Settings.fromArgs("--window.sise", "10m"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'window.sise'")
        .hasMessageContaining("command line");
  }

  @Test
  void unknownKeyInTheFileIsRejectedNamingItAndTheFile() throws IOException {
    Path file = properties("input.topic=x\nbogus.setting=1\n");
    assertThatThrownBy(() -> Settings.fromArgs("--config", file.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'bogus.setting'")
        .hasMessageContaining(file.toString());
  }

  @Test
  void unknownOverrideIsRejected() {
    assertThatThrownBy(() -> Settings.of(Map.of("no.such.key", "1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'no.such.key'");
  }

  @Test
  void missingConfigFileIsRejected() {
    Path missing = dir.resolve("absent.properties");
    assertThatThrownBy(() -> Settings.fromArgs("--config", missing.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--config")
        .hasMessageContaining("absent.properties");
  }

  @ParameterizedTest
  @ValueSource(strings = {"window.size", "-window.size", "--", "10m"})
  void positionalArgumentsAreRejected(String arg) {
    assertThatThrownBy(() -> Settings.fromArgs(arg, "x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(arg);
  }

  @Test
  void aFlagWithoutValueIsRejected() {
    assertThatThrownBy(() -> Settings.fromArgs("--input.topic"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--input.topic needs a value");
  }

  @ParameterizedTest(name = "{0} -> {1} ms")
  @CsvSource({"0ms, 0", "500ms, 500", "30s, 30000", "10m, 600000", "2h, 7200000", "7d, 604800000"})
  void durationsTakeAUnit(String text, long millis) {
    assertThat(Settings.of(Map.of("window.size", text)).duration("window.size")).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(strings = {"10", "10 m", "10M", "1.5h", "-1s", "10min", "m", "PT10M", ""})
  void badDurationIsRejectedNamingTheKey(String text) {
    Settings s = Settings.of(Map.of("window.size", text));
    assertThatThrownBy(() -> s.duration("window.size"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("window.size")
        .hasMessageContaining("duration");
  }

  /** A duration too large to represent is as bad as a misspelt one, and must be reported the same way. */
  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999m", "9223372036854775807d"})
  void durationTooLargeToRepresentIsRejectedNamingTheKey(String text) {
    Settings s = Settings.of(Map.of("decision.ttl", text));
    assertThatThrownBy(() -> s.duration("decision.ttl"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("decision.ttl");
  }

  @ParameterizedTest
  @ValueSource(strings = {"four", "4.0", "", "99999999999"})
  void badIntegerIsRejectedNamingTheKey(String text) {
    Settings s = Settings.of(Map.of("parallelism", text));
    assertThatThrownBy(() -> s.integer("parallelism", 0, 4096))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("parallelism");
  }

  @Test
  void integerOutOfRangeIsRejectedNamingTheKeyAndRange() {
    Settings s = Settings.of(Map.of("parallelism", "5000"));
    assertThatThrownBy(() -> s.integer("parallelism", 0, 4096))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("parallelism must be in [0, 4096], was 5000");
  }

  @ParameterizedTest
  @ValueSource(strings = {"high", "1.5", "-0.1", "NaN", ""})
  void badDecimalIsRejectedNamingTheKey(String text) {
    Settings s = Settings.of(Map.of("score.review", text));
    assertThatThrownBy(() -> s.decimal("score.review", 0, 1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("score.review");
  }

  @Test
  void enumsIgnoreCaseAndRejectUnknownNamesNamingTheKey() {
    assertThat(Settings.of(Map.of("subnet.max-action", "throttle")).enumeration("subnet.max-action",
        ThrottleAction.class)).isEqualTo(ThrottleAction.THROTTLE);
    Settings s = Settings.of(Map.of("subnet.max-action", "ban"));
    assertThatThrownBy(() -> s.enumeration("subnet.max-action", ThrottleAction.class))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("subnet.max-action")
        .hasMessageContaining("REVIEW");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.3", "0.3:0.3", "a:b", "0.3:0.8:0.9"})
  void badRampIsRejectedNamingTheKey(String text) {
    Settings s = Settings.of(Map.of("ramp.account.cot-share", text));
    assertThatThrownBy(() -> s.ramp("ramp.account.cot-share"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ramp.account.cot-share");
  }

  @Test
  void emptyRequiredStringIsRejectedNamingTheKey() {
    Settings s = Settings.of(Map.of("bootstrap.servers", ""));
    assertThatThrownBy(() -> s.nonEmpty("bootstrap.servers"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bootstrap.servers must not be empty");
  }

  @Test
  void keysNeverReadAreReported() {
    Settings s = Settings.fromArgs();
    s.string("input.topic");
    assertThatThrownBy(s::requireAllRead).hasMessageContaining("window.size");
  }

  private Path properties(String text) throws IOException {
    Path file = dir.resolve("detector.properties");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }
}
