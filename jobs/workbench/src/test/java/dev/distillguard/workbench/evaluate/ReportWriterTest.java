package dev.distillguard.workbench.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.Capability;
import dev.distillguard.contract.EntityType;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.simulate.Label;
import dev.distillguard.simulate.LabelledCall;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report from a small hand-made run: one benign scenario that throttles a heavy customer and one
 * three-day campaign that is caught late, so there are misses to show.
 */
class ReportWriterTest {

  private static final Instant START = Instant.parse("2025-06-02T08:00:00Z");
  private static final String LATE_WITHIN_HOUR = "0.0% within the hour (0 of 4 accounts; 4 of them sent anything in that hour)";

  private static EvaluationRun run;

  @BeforeAll
  static void buildRun() {
    run = new EvaluationRun(Instant.parse("2025-06-05T09:10:11Z"), "bin/evaluate --scale 0.05 --seed 7", 0.05, 7,
        "2 cores, 1 GiB heap max, Java 17, Linux amd64", Duration.ofSeconds(754),
        Map.of("pattern.sustained-windows", "4"), List.of(heavyCustomers(), lowAndSlow()),
        List.of(
            new TargetCheck("every adversarial campaign is detected", "low-and-slow", true,
                "first throttle 245m00s after its first request"),
            new TargetCheck(">= 95% of a campaign's accounts throttled or blocked within one event-time hour of its start",
                "low-and-slow", false, LATE_WITHIN_HOUR),
            new TargetCheck("no heavy customer, university cohort, CI harness or corporate NAT user throttled or blocked",
                "heavy-customers", false, "1 protected accounts throttled or blocked")),
        new Calibration(0.001, List.of(
            new Calibration.KeySpacePeak("ACCOUNT", 0.6123, "heavy-customers", 3),
            new Calibration.KeySpacePeak("TEMPLATE", 0.305, "heavy-customers", 1_234)), 0.742, 0.7));
  }

  @Test
  void writesTargetsCalibrationSummaryAndScenarios(@TempDir Path docs) throws IOException {
    String md = Files.readString(ReportWriter.write(run, docs));

    assertThat(md).startsWith("# Detection quality evaluation")
        .contains("- Finished: 2025-06-05 09:10:11 UTC", "- Command: `bin/evaluate --scale 0.05 --seed 7`",
            "- Scale: 0.05, seed: 7", "- Wall time: 12m34s", "`pattern.sustained-windows=4`");

    assertThat(md).contains("1 of 3 checks met, 2 missed.", "| target | scenario | result | measured |",
        "| every adversarial campaign is detected | low-and-slow | MET | first throttle 245m00s after its first request |",
        "- MISSED on **low-and-slow**: >= 95% of a campaign's accounts throttled or blocked within one event-time "
            + "hour of its start. Measured: " + LATE_WITHIN_HOUR + ".",
        "- MISSED on **heavy-customers**:");

    assertThat(md).contains("False-throttle budget: 0.1% of benign accounts",
        "| ACCOUNT | 0.612 | heavy-customers | 3 |", "| TEMPLATE | 0.305 | heavy-customers | 1,234 |",
        "Recommended throttle threshold: **0.742**", "Configured for this run: 0.700, 0.042 below the recommended one.",
        "from the benign scenarios only");

    // heavy-customers: 6 benign accounts, heavy-1 throttled (the heaviest 1%), chat-1 only reviewed.
    assertThat(md).contains("| heavy-customers | benign | 97 | 2 | - | - | - | - | - | - | - | 1 (16.7%) | 1 of 1 | 0 of 1 | 1 | 0m09s |");
    // low-and-slow: 3 of 4 campaign accounts throttled 4h05m after the first request, none within the hour.
    assertThat(md).contains("| low-and-slow | adversarial | 76 | 1 | yes | 245m00s | 75.0% | 0.0% | 33.3% | 1.000 | 0.750 | 0 (0.0%) |");

    assertThat(md).contains("### heavy-customers", "### low-and-slow", "| campaign | low-and-slow:c1 |",
        "Benign. Calls: 97, decision records: 2, dead letters: 0, job time: 0m09s.",
        "| active (since scenario start) | 30m00s to 4110m00s |", "| requests a minute | 0.02 |", "| population heavy-customer | 2 | 1 |",
        "| ACCOUNT/THROTTLE | 1 |", "| SUBNET/REVIEW | 1 |", "| CAMPAIGN/THROTTLE | 1 |");

    List<String> charts = chartLinks(md);
    assertThat(charts).containsExactly(ReportWriter.PRECISION_RECALL_CHART, ReportWriter.BENIGN_ENFORCED_CHART,
        "timeline-heavy-customers.png", "timeline-low-and-slow.png");
    for (String chart : charts) {
      BufferedImage image = ImageIO.read(docs.resolve(ReportWriter.CHART_DIRECTORY).resolve(chart).toFile());
      assertThat(image).as(chart).isNotNull();
      assertThat(image.getWidth()).as(chart).isEqualTo(800);
      assertThat(image.getHeight()).as(chart).isBetween(300, 800);
    }
  }

  @Test
  void replacesStaleChartsAndLeavesOtherFiles(@TempDir Path docs) throws IOException {
    Path chartDirectory = Files.createDirectories(docs.resolve(ReportWriter.CHART_DIRECTORY));
    Files.write(chartDirectory.resolve("timeline-retired-scenario.png"), new byte[] {1, 2, 3});
    Files.write(chartDirectory.resolve("timeline-low-and-slow.png"), new byte[] {1, 2, 3});
    Files.writeString(chartDirectory.resolve("notes.txt"), "kept");

    ReportWriter.write(run, docs);

    assertThat(chartDirectory.resolve("timeline-retired-scenario.png")).doesNotExist();
    assertThat(ImageIO.read(chartDirectory.resolve("timeline-low-and-slow.png").toFile())).isNotNull();
    assertThat(chartDirectory.resolve("notes.txt")).hasContent("kept");
  }

  @Test
  void sameRunSameReport(@TempDir Path first, @TempDir Path second) throws IOException {
    String md = Files.readString(ReportWriter.write(run, first));
    assertThat(Files.readString(ReportWriter.write(run, second))).isEqualTo(md);
    for (String chart : chartLinks(md)) {
      assertThat(Files.readAllBytes(second.resolve(ReportWriter.CHART_DIRECTORY).resolve(chart))).as(chart)
          .isEqualTo(Files.readAllBytes(first.resolve(ReportWriter.CHART_DIRECTORY).resolve(chart)));
    }
  }

  @Test
  void percentagesNeverRoundAHitAway() {
    assertThat(ReportWriter.percent(0)).isEqualTo("0.0%");
    assertThat(ReportWriter.percent(1.0 / 6_000)).isEqualTo("<0.1%");
    assertThat(ReportWriter.percent(0.976)).isEqualTo("97.6%");
    assertThat(ReportWriter.percent(5_999.0 / 6_000)).isEqualTo(">99.9%");
    assertThat(ReportWriter.percent(1)).isEqualTo("100.0%");
  }

  private static List<String> chartLinks(String md) {
    List<String> files = new ArrayList<>();
    Matcher link = Pattern.compile("\\]\\(" + ReportWriter.CHART_DIRECTORY + "/([^)]+\\.png)\\)").matcher(md);
    while (link.find()) {
      files.add(link.group(1));
    }
    return files;
  }

  /** Two heavy customers, three chat users and one NAT user for two hours; the heaviest gets throttled. */
  private static ScenarioOutcome heavyCustomers() {
    List<LabelledCall> traffic = new ArrayList<>();
    Label heavy = new Label("heavy-customers", "heavy-customer", false, null, false);
    Label chat = new Label("heavy-customers", "organic-chat", false, null, false);
    Label nat = new Label("heavy-customers", "corporate-nat", false, null, true);
    for (int i = 0; i < 50; i++) {
      traffic.add(call("heavy-1", START.plusSeconds(60 + 90L * i), heavy));
    }
    for (int i = 0; i < 40; i++) {
      traffic.add(call("heavy-2", START.plusSeconds(120 + 100L * i), heavy));
    }
    for (String account : List.of("chat-1", "chat-2", "chat-3")) {
      traffic.add(call(account, START.plus(Duration.ofMinutes(10)), chat));
      traffic.add(call(account, START.plus(Duration.ofMinutes(70)), chat));
    }
    traffic.add(call("nat-1", START.plus(Duration.ofMinutes(119)), nat));
    List<ThrottleDecision> decisions = List.of(
        decision(EntityType.ACCOUNT, "heavy-1", ThrottleAction.THROTTLE, START.plus(Duration.ofMinutes(20)),
            List.of("heavy-1")),
        decision(EntityType.SUBNET, "198.51.100.0/24", ThrottleAction.REVIEW, START.plus(Duration.ofMinutes(25)),
            List.of("chat-1")));
    return outcome("heavy-customers",
        "4 products on the API, each 150-400 requests a minute (Poisson) of diverse user prompts behind one "
            + "fixed system prompt, mixed capabilities.",
        false, traffic, decisions, Duration.ofHours(2), Duration.ofSeconds(9));
  }

  /**
   * Four campaign accounts, a request each every four hours for three days from 30 minutes in, among two
   * chat users; three of the four are throttled after their second request.
   */
  private static ScenarioOutcome lowAndSlow() {
    List<LabelledCall> traffic = new ArrayList<>();
    Label hydra = new Label("low-and-slow", "hydra", true, "low-and-slow:c1", true);
    Label chat = new Label("low-and-slow", "organic-chat", false, null, false);
    Instant campaignStart = START.plus(Duration.ofMinutes(30));
    for (int request = 0; request < 18; request++) {
      for (int account = 1; account <= 4; account++) {
        traffic.add(call("hydra-" + account, campaignStart.plus(Duration.ofHours(4L * request)), hydra));
      }
    }
    for (String account : List.of("chat-1", "chat-2")) {
      traffic.add(call(account, START.plus(Duration.ofHours(5)), chat));
      traffic.add(call(account, START.plus(Duration.ofHours(50)), chat));
    }
    List<ThrottleDecision> decisions = List.of(decision(EntityType.CAMPAIGN, "campaign-0f3a",
        ThrottleAction.THROTTLE, campaignStart.plus(Duration.ofMinutes(245)), List.of("hydra-1", "hydra-2", "hydra-3")));
    return outcome("low-and-slow",
        "300 accounts over three days, each a templated request about every four hours (30% jitter): about "
            + "1.25 requests a minute in all.",
        true, traffic, decisions, Duration.ofDays(3), Duration.ofSeconds(41));
  }

  private static ScenarioOutcome outcome(String name, String description, boolean adversarial,
      List<LabelledCall> traffic, List<ThrottleDecision> decisions, Duration span, Duration jobTime) {
    Scoreboard score = Scoreboard.score(traffic, decisions);
    Map<String, Integer> byTypeAndAction = new TreeMap<>();
    for (ThrottleDecision d : decisions) {
      byTypeAndAction.merge(d.getEntityType() + "/" + d.getAction(), 1, Integer::sum);
    }
    return new ScenarioOutcome(name, description, adversarial, score.calls(), 0, jobTime, score,
        Timelines.of(traffic, START, START.plus(span), decisions), byTypeAndAction);
  }

  private static LabelledCall call(String account, Instant at, Label label) {
    ApiCall call = ApiCall.newBuilder()
        .setRequestId(account + "@" + at.toEpochMilli())
        .setEventTime(at)
        .setAccountId(account)
        .setClientIp("198.51.100.7")
        .setModel("model-a")
        .setPromptTokens(120)
        .setCompletionTokens(400)
        .setPromptSimhash(0x5DEECE66DL)
        .setCapability(Capability.REASONING)
        .setCotElicitation(label.campaign())
        .setStatusCode(200)
        .build();
    return new LabelledCall(call, label);
  }

  private static ThrottleDecision decision(EntityType type, String entity, ThrottleAction action, Instant at,
      List<String> accounts) {
    return ThrottleDecision.newBuilder()
        .setDecisionId(type + ":" + entity + "@" + at.toEpochMilli())
        .setEntityType(type)
        .setEntityId(entity)
        .setAction(action)
        .setMaxRequestsPerMinute(action == ThrottleAction.REVIEW ? null : 6)
        .setScore(0.8)
        .setReasons(List.of("test"))
        .setAccounts(accounts)
        .setSubnets(List.of("198.51.100.0/24"))
        .setWindowStart(at.minus(Duration.ofMinutes(10)))
        .setWindowEnd(at)
        .setDecidedAt(at)
        .setExpiresAt(at.plus(Duration.ofHours(1)))
        .setDetectorVersion("test")
        .build();
  }
}
