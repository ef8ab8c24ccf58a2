package dev.distillguard.detector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.detector.features.FeatureSettings;
import dev.distillguard.detector.patterns.ExtractionPatterns;
import dev.distillguard.detector.patterns.Ramp;
import dev.distillguard.detector.patterns.ScoringPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DetectorConfigTest {

  @TempDir
  Path dir;

  @Test
  void defaultsParse() {
    DetectorConfig c = DetectorConfig.defaults();

    assertThat(c.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(c.kafka().inputTopic()).isEqualTo("gateway.api-calls");
    assertThat(c.kafka().throttleTopic()).isEqualTo("distill-guard.throttle");
    assertThat(c.kafka().deadLetterTopic()).isEqualTo("distill-guard.dead-letters");
    assertThat(c.kafka().startingOffsets()).isEqualTo(DetectorConfig.StartingOffsets.COMMITTED);
    assertThat(c.kafka().transactionTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.parallelism()).isZero();
    assertThat(c.maxParallelism()).isEqualTo(128);
    assertThat(c.detectorVersion()).isNotEmpty(); // empty setting: the build's version
    assertThat(c.eventTime()).isEqualTo(new DetectorConfig.EventTime(Duration.ofSeconds(5), Duration.ofSeconds(30),
        Duration.ZERO, Duration.ofMinutes(5), Duration.ofDays(7), Duration.ofMinutes(10)));
    assertThat(c.ipv4Prefix()).isEqualTo(24);
    assertThat(c.ipv6Prefix()).isEqualTo(48);
    assertThat(c.templateBands()).isEqualTo(6);
    assertThat(c.patterns()).isEqualTo(new DetectorConfig.Patterns(3, 2,
        new ExtractionPatterns.ReplacementRules(2, 0.5, 12, Duration.ofHours(6)), 50_000));
  }

  /** defaults.properties and the code's own defaults must not drift apart. */
  @Test
  void defaultsFileAgreesWithTheCodeDefaults() {
    DetectorConfig c = DetectorConfig.defaults();
    assertThat(c.features()).isEqualTo(FeatureSettings.defaults());
    assertThat(c.scoring()).isEqualTo(ScoringPolicy.defaults());
  }

  @Test
  void flagsReachTheTypedConfig() {
    DetectorConfig c = DetectorConfig.fromArgs("--window.size", "20m", "--window.slide=2m", "--score.review=0.4",
        "--ramp.account.cot-share", "0.1:0.9", "--subnet.max-action=throttle", "--starting-offsets=latest",
        "--detector.version", "9.9.9");
    assertThat(c.features().windowSize()).isEqualTo(Duration.ofMinutes(20));
    assertThat(c.features().slide()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.scoring().actions().review()).isEqualTo(0.4);
    assertThat(c.scoring().account().cotShare()).isEqualTo(new Ramp(0.1, 0.9));
    assertThat(c.scoring().subnet().maxAction()).isEqualTo(ThrottleAction.THROTTLE);
    assertThat(c.kafka().startingOffsets()).isEqualTo(DetectorConfig.StartingOffsets.LATEST);
    assertThat(c.detectorVersion()).isEqualTo("9.9.9");
  }

  @Test
  void configFileThenFlags() throws IOException {
    Path file = dir.resolve("job.properties");
    Files.writeString(file, "window.size=30m\nwindow.slide=5m\ngroup.id=from-file\n");
    DetectorConfig c = DetectorConfig.fromArgs("--config", file.toString(), "--window.slide", "3m");
    assertThat(c.features().windowSize()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.features().slide()).isEqualTo(Duration.ofMinutes(3));
    assertThat(c.kafka().groupId()).isEqualTo("from-file");
  }

  @Test
  void unknownKeyIsRejectedNamingIt() {
    assertThatThrownBy(() -> DetectorConfig.fromArgs("--score.reveiw", "0.5"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("score.reveiw");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      // not a number / out of range
      "parallelism | many",
      "parallelism | -1",
      "features.sample-size | 4",
      "features.sample-size | 5000",
      "template.cluster-radius-bits | 25",
      "template.bands | 1",
      "subnet.ipv4-prefix | 33",
      "account.min-requests | 2",
      "score.review | 1.5",
      "score.review | abc",
      "score.review | 0",
      "replacement.min-fresh-share | 2",
      "decision.max-accounts | 0",
      "dead-letter.max-original-bytes | 100",
      "dead-letter.max-original-bytes | 9000000",
      // bad durations
      "ingest.duplicate-horizon | 2 minutes",
      "window.size | 10",
      "window.size | ten minutes",
      "window.slide | 0s",
      "checkpoint.interval | 0ms",
      "decision.ttl | 0s",
      "account.young-age | 2w",
      // bad ramps
      "ramp.account.cot-share | 0.2",
      "ramp.campaign.subnets | 8:8",
      "ramp.subnet.young-account-share | x:y",
      // bad enums
      "starting-offsets | newest",
      "subnet.max-action | ban",
      // inconsistent with other settings
      "window.size | 90s",
      "window.size | 30s",
      "watermark.allowed-lateness | 10m",
      "score.review | 0.85",
      "score.throttle | 0.95",
      "campaign.report-min-accounts | 11",
      "checkpoint.interval | 10m",
      // empty where a value is needed
      "bootstrap.servers | ''",
      "group.id | ''"})
  void badValueIsRejectedNamingTheKey(String key, String value) {
    assertThatThrownBy(() -> DetectorConfig.fromArgs("--" + key, value))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key);
  }

  @Test
  void windowOfMoreThan1440PanesIsRejected() {
    assertThatThrownBy(() -> DetectorConfig.fromArgs("--window.size=1441m", "--window.slide=1m",
        "--watermark.allowed-lateness=0s"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("window.size");
  }

  @Test
  void allowedLatenessUpToWindowMinusSlideIsAccepted() {
    assertThat(DetectorConfig.fromArgs("--watermark.allowed-lateness=9m").eventTime().allowedLateness())
        .isEqualTo(Duration.ofMinutes(9));
  }

  /** A request id is kept for the horizon plus the longest a call may trail the watermark and not be late. */
  @Test
  void duplicateRetentionCoversTheHorizonASlideAndTheAllowedLateness() {
    DetectorConfig config = DetectorConfig.fromArgs("--ingest.duplicate-horizon=5m", "--watermark.allowed-lateness=2m");
    assertThat(config.ingest().duplicateHorizon()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.ingest().retention(config.features().slide(), config.eventTime().allowedLateness()))
        .isEqualTo(Duration.ofMinutes(8));
    assertThat(DetectorConfig.defaults().ingest().deadLetterMaxOriginalBytes()).isEqualTo(262_144);
  }

  /** Savepoints are tied to the key-group count, so a parallelism beyond it cannot start. */
  @Test
  void parallelismAboveMaxParallelismIsRejected() {
    assertThatThrownBy(() -> DetectorConfig.fromArgs("--parallelism=8", "--max-parallelism=4"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max-parallelism");
  }

  @Test
  void inputTopicMustDifferFromTheOutputTopics() {
    assertThatThrownBy(() -> DetectorConfig.fromArgs("--throttle.topic=gateway.api-calls"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("input.topic");
    assertThatThrownBy(() -> DetectorConfig.fromArgs("--dead-letter.topic=gateway.api-calls"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dead-letter.topic");
  }

  /** Absurd durations must stop the start with a message naming the setting, like every other bad value. */
  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "decision.ttl | 99999999999999999999m",
      "replacement.horizon | 9223372036854775807d",
      "window.size | 200000000000d"})
  void durationTooLargeIsRejectedNamingTheKey(String key, String value) {
    assertThatThrownBy(() -> DetectorConfig.fromArgs("--" + key, value))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key);
  }
}
