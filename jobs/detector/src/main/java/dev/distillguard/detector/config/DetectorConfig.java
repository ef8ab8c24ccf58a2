package dev.distillguard.detector.config;

import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.detector.backfill.RangeBound;
import dev.distillguard.detector.features.FeatureSettings;
import dev.distillguard.detector.patterns.ExtractionPatterns;
import dev.distillguard.detector.patterns.ScoringPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * The detector's whole configuration, typed and validated. Built once in {@code main}; everything
 * downstream takes the part it needs. Defaults and their meaning: {@code defaults.properties}.
 */
public record DetectorConfig(
    Kafka kafka,
    Duration checkpointInterval,
    int parallelism,
    int maxParallelism,
    String detectorVersion,
    EventTime eventTime,
    int ipv4Prefix,
    int ipv6Prefix,
    int templateBands,
    FeatureSettings features,
    ScoringPolicy scoring,
    Patterns patterns,
    Mode mode,
    Backfill backfill,
    Ingest ingest,
    Map<String, String> settings) implements Serializable {

  public enum StartingOffsets { COMMITTED, EARLIEST, LATEST }

  public enum Mode { LIVE, BACKFILL }

  public enum Execution { BATCH, STREAMING }

  /**
   * A replay of a range of the gateway topic.
   *
   * @param run names the run: its output topic and transactional ids derive from it
   */
  public record Backfill(
      RangeBound from,
      RangeBound to,
      Execution execution,
      String outputTopic,
      boolean allowLiveTopic,
      Duration progressInterval,
      String run) implements Serializable {

    public String transactionalIdPrefix() {
      return "distill-guard-backfill-" + run;
    }

    public String deadLetterTopic() {
      return outputTopic + ".dead-letters";
    }
  }

  public record Kafka(
      String bootstrapServers,
      String inputTopic,
      String throttleTopic,
      String deadLetterTopic,
      String policyTopic,
      String policyStatusTopic,
      String groupId,
      StartingOffsets startingOffsets,
      String transactionalIdPrefix,
      Duration transactionTimeout) implements Serializable {}

  public record EventTime(
      Duration outOfOrderness,
      Duration idleness,
      Duration allowedLateness,
      Duration maxFutureSkew,
      Duration maxRecordDelay,
      Duration alignmentMaxDrift) implements Serializable {}

  /**
   * @param duplicateHorizon calls of one account with the same request_id whose event times are at most
   *     this far apart count once
   * @param deadLetterMaxOriginalBytes a dead letter keeps at most this many bytes of the original value
   */
  public record Ingest(Duration duplicateHorizon, int deadLetterMaxOriginalBytes) implements Serializable {

    /**
     * How long, in event time past a call, its request id is kept: the horizon, plus the longest a call
     * may trail the watermark and still be processed rather than be late (a slide and the allowed
     * lateness). Any copy that is not late then finds the first one still there.
     */
    public Duration retention(Duration slide, Duration allowedLateness) {
      return duplicateHorizon.plus(slide).plus(allowedLateness);
    }
  }

  public record Patterns(
      int sustainedWindows,
      int campaignWindows,
      ExtractionPatterns.ReplacementRules replacement,
      int maxAccountsPerDecision) implements Serializable {}

  public static DetectorConfig fromArgs(String... args) {
    return from(Settings.fromArgs(args));
  }

  public static DetectorConfig from(Settings s) {
    Kafka kafka = new Kafka(
        s.nonEmpty("bootstrap.servers"),
        s.nonEmpty("input.topic"),
        s.nonEmpty("throttle.topic"),
        s.nonEmpty("dead-letter.topic"),
        s.nonEmpty("policy.topic"),
        s.nonEmpty("policy-status.topic"),
        s.nonEmpty("group.id"),
        s.enumeration("starting-offsets", StartingOffsets.class),
        s.nonEmpty("transactional-id.prefix"),
        positive(s, "kafka.transaction-timeout"));
    if (kafka.inputTopic().equals(kafka.throttleTopic()) || kafka.inputTopic().equals(kafka.deadLetterTopic())) {
      throw new ConfigException("input.topic must differ from throttle.topic and dead-letter.topic");
    }
    Duration checkpointInterval = positive(s, "checkpoint.interval");
    if (checkpointInterval.compareTo(kafka.transactionTimeout()) >= 0) {
      throw new ConfigException("checkpoint.interval must be shorter than kafka.transaction-timeout");
    }
    int parallelism = s.integer("parallelism", 0, 32768);
    int maxParallelism = s.integer("max-parallelism", 1, 32768);
    if (parallelism > maxParallelism) {
      throw new ConfigException("parallelism must be at most max-parallelism (" + maxParallelism + ")");
    }
    String version = s.string("detector.version");
    if (version.isEmpty()) {
      version = buildVersion();
    }

    EventTime eventTime = new EventTime(
        s.duration("watermark.out-of-orderness"),
        positive(s, "watermark.idleness"),
        s.duration("watermark.allowed-lateness"),
        s.duration("ingest.max-future-skew"),
        positive(s, "ingest.max-record-delay"),
        positive(s, "watermark.alignment-max-drift"));

    int maxAccountsPerDecision = s.integer("decision.max-accounts", 1, 200_000);
    FeatureSettings features;
    try {
      features = new FeatureSettings(
          s.duration("window.size"),
          s.duration("window.slide"),
          s.integer("features.sample-size", 8, 4096),
          s.integer("template.cluster-radius-bits", 0, 24),
          s.integer("features.max-arrivals-per-pane", 2, 100_000),
          s.integer("features.max-members-per-pane", 1, 1_000_000),
          maxAccountsPerDecision,
          s.duration("account.young-age"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    if (eventTime.allowedLateness().compareTo(features.windowSize().minus(features.slide())) > 0) {
      throw new ConfigException("watermark.allowed-lateness must be at most window.size - window.slide ("
          + features.windowSize().minus(features.slide()) + ")");
    }

    ScoringPolicy scoring = scoring(s);

    Patterns patterns = new Patterns(
        s.integer("pattern.sustained-windows", 1, 1000),
        s.integer("pattern.campaign-windows", 1, 1000),
        new ExtractionPatterns.ReplacementRules(
            s.integer("replacement.min-fresh-accounts", 1, 1_000_000),
            s.decimal("replacement.min-fresh-share", 0, 1),
            features.clusterRadiusBits(),
            positive(s, "replacement.horizon")),
        maxAccountsPerDecision);

    Mode mode = s.enumeration("mode", Mode.class);
    Backfill backfill = backfill(s, mode, kafka);
    Ingest ingest = new Ingest(s.duration("ingest.duplicate-horizon"),
        s.integer("dead-letter.max-original-bytes", 1024, 8 * 1024 * 1024));

    DetectorConfig config = new DetectorConfig(kafka, checkpointInterval, parallelism, maxParallelism, version,
        eventTime, s.integer("subnet.ipv4-prefix", 8, 32), s.integer("subnet.ipv6-prefix", 16, 128),
        s.integer("template.bands", 2, 16), features, scoring, patterns, mode, backfill, ingest, s.values());
    s.requireAllRead();
    return config;
  }

  /**
   * The scorers' numbers from {@code s}; a published policy is checked by running its settings through
   * here, so a policy and a configuration file are held to the same rules.
   */
  public static ScoringPolicy scoring(Settings s) {
    ScoringPolicy scoring;
    try {
      scoring = new ScoringPolicy(
          new ScoringPolicy.AccountRules(
              s.integer("account.min-requests", 3, 1_000_000),
              s.ramp("ramp.account.near-duplicate-share"),
              s.ramp("ramp.account.template-variety"),
              s.ramp("ramp.account.cot-share"),
              s.ramp("ramp.account.extraction-share"),
              s.ramp("ramp.account.interarrival-cv"),
              s.ramp("ramp.account.prompt-tokens-cv"),
              s.ramp("ramp.account.rate-per-minute")),
          new ScoringPolicy.CampaignRules(
              s.integer("campaign.report-min-accounts", 2, 1_000_000),
              s.integer("campaign.min-accounts", 2, 1_000_000),
              s.integer("campaign.min-subnets", 1, 1_000_000),
              s.ramp("ramp.campaign.subnets"),
              s.ramp("ramp.campaign.requests-per-account"),
              s.ramp("ramp.campaign.template-variety"),
              s.ramp("ramp.campaign.cot-share"),
              s.ramp("ramp.campaign.extraction-share"),
              s.ramp("ramp.campaign.template-spread-bits"),
              s.ramp("ramp.campaign.young-account-share"),
              s.ramp("ramp.campaign.accounts-per-payment")),
          new ScoringPolicy.SubnetRules(
              s.integer("subnet.min-accounts", 2, 1_000_000),
              s.integer("subnet.min-requests", 1, 1_000_000),
              s.ramp("ramp.subnet.dominant-template-share"),
              s.ramp("ramp.subnet.requests-per-account"),
              s.ramp("ramp.subnet.template-variety"),
              s.ramp("ramp.subnet.cot-share"),
              s.ramp("ramp.subnet.extraction-share"),
              s.ramp("ramp.subnet.young-account-share"),
              s.ramp("ramp.subnet.accounts-per-payment"),
              s.enumeration("subnet.max-action", ThrottleAction.class)),
          new ScoringPolicy.ActionRules(
              s.decimal("score.review", 0, 1),
              s.decimal("score.throttle", 0, 1),
              s.decimal("score.block", 0, 1),
              s.integer("action.throttle-rpm", 0, 1_000_000),
              s.integer("action.block-rpm", 0, 1_000_000),
              positive(s, "decision.ttl")));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    if (scoring.campaign().reportMinAccounts() > scoring.campaign().minAccounts()) {
      throw new ConfigException("campaign.report-min-accounts must not exceed campaign.min-accounts");
    }

    return scoring;
  }

  /** The backfill settings; null in live mode, where they must stay unset. */
  private static Backfill backfill(Settings s, Mode mode, Kafka kafka) {
    String fromText = s.string("backfill.from");
    String toText = s.string("backfill.to");
    Execution execution = s.enumeration("backfill.execution", Execution.class);
    String output = s.string("backfill.output-topic");
    boolean allowLive = s.bool("backfill.allow-live-topic");
    Duration progress = positive(s, "backfill.progress-interval");
    if (mode == Mode.LIVE) {
      if (!fromText.isEmpty() || !toText.isEmpty()) {
        throw new ConfigException("backfill.from and backfill.to need --mode backfill");
      }
      return null;
    }
    if (fromText.isEmpty() || toText.isEmpty()) {
      throw new ConfigException("a backfill needs both backfill.from and backfill.to");
    }
    RangeBound from = RangeBound.parse("backfill.from", fromText);
    RangeBound to = RangeBound.parse("backfill.to", toText);
    if (from.isTimestamp() && to.isTimestamp() && from.timestamp() >= to.timestamp()) {
      throw new ConfigException("backfill.from must be before backfill.to");
    }
    String run = from.label() + "-" + to.label();
    String topic = output.isEmpty() ? "distill-guard.backfill." + run : output;
    if (topic.equals(kafka.throttleTopic()) && !allowLive) {
      throw new ConfigException("backfill.output-topic is the live throttle topic " + topic
          + ": set backfill.allow-live-topic=true if that is really meant");
    }
    if (topic.equals(kafka.inputTopic())) {
      throw new ConfigException("backfill.output-topic must not be the gateway topic");
    }
    return new Backfill(from, to, execution, topic, allowLive, progress, run);
  }

  public static DetectorConfig defaults() {
    return fromArgs();
  }

  private static Duration positive(Settings s, String key) {
    Duration d = s.duration(key);
    if (d.isZero()) {
      throw new ConfigException(key + " must be positive");
    }
    return d;
  }

  /** The version Maven stamped into the build. */
  static String buildVersion() {
    try (InputStream in = DetectorConfig.class.getResourceAsStream("build.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties props = new Properties();
      props.load(in);
      return props.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
