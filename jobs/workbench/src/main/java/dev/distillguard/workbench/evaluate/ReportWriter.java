package dev.distillguard.workbench.evaluate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.labels.CategoryItemLabelGenerator;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYAreaRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.RangeType;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Writes an {@link EvaluationRun} as {@code evaluation.md} with its charts as PNGs under
 * {@code evaluation/} next to it. The same run always gives the same Markdown: maps are sorted and
 * scenarios keep the order of {@link EvaluationRun#outcomes()}.
 */
public final class ReportWriter {

  static final String MARKDOWN = "evaluation.md";
  static final String CHART_DIRECTORY = "evaluation";
  static final String PRECISION_RECALL_CHART = "precision-recall.png";
  static final String BENIGN_ENFORCED_CHART = "benign-enforced.png";

  private static final int CHART_WIDTH = 800;
  private static final int TIMELINE_HEIGHT = 400;
  /** A timeline with more minutes than this is drawn in coarser buckets: a point per pixel or two at most. */
  private static final int MAX_TIMELINE_BUCKETS = 400;
  private static final int[] BUCKET_MINUTES = {1, 5, 10, 15, 30, 60};
  /** Beyond half a day, an axis in minutes (0 to 4,320) reads worse than one in hours. */
  private static final int HOURS_AXIS_FROM_MINUTES = 12 * 60;
  private static final String TIMELINE_SUBTITLE = "decisions over time against campaign activity";
  private static final String NONE = "-";

  private static final Color CAMPAIGN = new Color(0xC0392B);
  private static final Color BENIGN = new Color(0x2E6DB4);
  private static final Color RECALL = new Color(0xE08E2B);
  private static final Color GRID = new Color(0xDDDDDD);
  private static final DateTimeFormatter FINISHED_AT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private ReportWriter() {}

  /**
   * Writes {@code docsDir/evaluation.md} and its charts, replacing earlier ones and deleting PNGs under
   * {@code docsDir/evaluation/} that this run no longer draws.
   *
   * @return the Markdown file
   */
  public static Path write(EvaluationRun run, Path docsDir) throws IOException {
    // Charts are drawn off-screen; without this an evaluation on a machine with no display would fail.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    Path chartDirectory = docsDir.resolve(CHART_DIRECTORY);
    Files.createDirectories(chartDirectory);
    Charts charts = new Charts(chartDirectory);

    StringBuilder md = new StringBuilder();
    header(md, run);
    targets(md, run.targets());
    calibration(md, run.calibration());
    summary(md, run.outcomes(), charts);
    scenarios(md, run.outcomes(), charts);

    charts.deleteStale();
    Path markdown = docsDir.resolve(MARKDOWN);
    Files.writeString(markdown, md.toString(), StandardCharsets.UTF_8);
    return markdown;
  }

  private static void header(StringBuilder md, EvaluationRun run) {
    md.append("# Detection quality evaluation\n\n");
    md.append("""
        Every scenario below ran through the detector job (local Flink, one job per scenario) against a real
        Kafka broker; the decisions it wrote were read back and scored against the simulator's ground truth.
        An account counts as *enforced* from the event time of the first THROTTLE or BLOCK decision that
        names it; REVIEW decisions are counted apart and never as throttles. The scores, patterns and
        defaults are explained in `docs/detection.md`. This file and the charts under `evaluation/` are
        generated: run the command below again rather than edit them.

        """);
    md.append("- Finished: ").append(FINISHED_AT.format(run.finishedAt())).append('\n');
    md.append("- Command: `").append(run.command()).append("`\n");
    md.append("- Scale: ").append(plain(run.scale())).append(", seed: ").append(run.seed()).append('\n');
    md.append("- Machine: ").append(run.machine()).append('\n');
    md.append("- Wall time: ").append(duration(run.wallTime())).append('\n');
    md.append("- Settings: ").append(settings(run.settings())).append("\n\n");
  }

  private static String settings(Map<String, String> settings) {
    if (settings.isEmpty()) {
      return "defaults";
    }
    List<String> changed = new ArrayList<>();
    new TreeMap<>(settings).forEach((key, value) -> changed.add("`" + key + "=" + value + "`"));
    return String.join(", ", changed) + " (everything else at its default)";
  }

  private static void targets(StringBuilder md, List<TargetCheck> checks) {
    md.append("## Targets\n\n");
    List<TargetCheck> missed = checks.stream().filter(c -> !c.met()).toList();
    md.append(String.format(Locale.ROOT, "%d of %d checks met, %d missed.\n\n", checks.size() - missed.size(),
        checks.size(), missed.size()));
    Table table = new Table("target", "scenario", "result", "measured");
    for (TargetCheck check : checks) {
      table.row(check.target(), check.scenario(), check.met() ? "MET" : "**MISSED**", check.measured());
    }
    table.appendTo(md);
    if (missed.isEmpty()) {
      md.append("Every target is met.\n\n");
      return;
    }
    md.append("Missed:\n\n");
    for (TargetCheck check : missed) {
      md.append("- MISSED on **").append(check.scenario()).append("**: ").append(oneLine(check.target()))
          .append(". Measured: ").append(oneLine(check.measured())).append(".\n");
    }
    md.append('\n');
  }

  private static void calibration(StringBuilder md, Calibration calibration) {
    md.append("## Calibration\n\n");
    md.append("False-throttle budget: ").append(plain(100 * calibration.budget()))
        .append("% of benign accounts may be throttled or blocked.\n\n");
    if (calibration.keySpaces().isEmpty()) {
      md.append("No key space was calibrated.\n\n");
    } else {
      Table table = new Table("key space", "benign peak pattern score", "from scenario", "benign keys reported")
          .numeric(1, 3);
      for (Calibration.KeySpacePeak peak : calibration.keySpaces()) {
        table.row(peak.keySpace(), score(peak.benignPeakPatternScore()), peak.scenario(),
            count(peak.benignKeysReported()));
      }
      table.appendTo(md);
    }
    double gap = calibration.recommendedThrottle() - calibration.configuredThrottle();
    String comparison = Math.abs(gap) < 0.0005 ? "the same as the recommended one"
        : String.format(Locale.ROOT, "%.3f %s the recommended one", Math.abs(gap), gap > 0 ? "below" : "above");
    md.append(String.format(Locale.ROOT,
        "Recommended throttle threshold: **%s** (the lowest that keeps benign accounts within the budget, plus a "
            + "margin). Configured for this run: %s, %s.\n\n",
        score(calibration.recommendedThrottle()), score(calibration.configuredThrottle()), comparison));
    md.append("These thresholds come from the benign scenarios only: no campaign traffic went into them.\n\n");
  }

  private static void summary(StringBuilder md, List<ScenarioOutcome> outcomes, Charts charts) throws IOException {
    md.append("## Summary\n\n");
    Table table = new Table("scenario", "kind", "calls", "decision records", "detected",
        "first throttle (event time)", "campaign accounts enforced", "within first hour", "requests leaked",
        "account precision", "account recall", "benign enforced", "heavy benign enforced",
        "shared-address enforced", "reviewed only", "job time")
        .numeric(2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (ScenarioOutcome outcome : outcomes) {
      List<String> row = new ArrayList<>(List.of(outcome.name(), outcome.adversarial() ? "adversarial" : "benign",
          count(outcome.calls()), count(decisionRecords(outcome))));
      row.addAll(outcome.adversarial() ? campaignColumns(outcome.score())
          : List.of(NONE, NONE, NONE, NONE, NONE, NONE, NONE));
      Scoreboard.BenignScore benign = outcome.score().benign();
      row.addAll(List.of(countAndShare(benign.enforced(), benign.accounts()),
          count(benign.heavyEnforced()) + " of " + count(benign.heavyAccounts()),
          count(benign.sharedAddressEnforced()) + " of " + count(benign.sharedAddressAccounts()),
          count(benign.reviewedOnly()), duration(outcome.jobTime())));
      table.row(row.toArray());
    }
    table.appendTo(md);
    md.append("""
        Campaign shares are of the campaign's accounts (enforced, within the first event-time hour of its
        start) and of its requests (leaked: sent before their account was enforced). First throttle is
        event time from the campaign's first request. Where a scenario runs several campaigns the row adds
        them up and shows the slowest first throttle; the scenario's section lists each. Benign columns
        count the scenario's benign accounts, background included; heavy are its busiest 1% by requests.

        """);

    List<ScenarioOutcome> adversarial = outcomes.stream().filter(ScenarioOutcome::adversarial).toList();
    List<ScenarioOutcome> benign = outcomes.stream().filter(o -> !o.adversarial()).toList();
    if (!adversarial.isEmpty()) {
      md.append(image("precision and recall per adversarial scenario",
          charts.precisionRecall(adversarial)));
    }
    if (!benign.isEmpty()) {
      md.append(image("benign accounts throttled or blocked per benign scenario", charts.benignEnforced(benign)));
    }
  }

  /** Detected, first throttle, enforced, within the hour, leaked, precision and recall over all campaigns. */
  private static List<String> campaignColumns(Scoreboard score) {
    List<Scoreboard.CampaignScore> campaigns = score.campaigns();
    String precision = score(score.precision());
    String recall = score(score.recall());
    if (campaigns.isEmpty()) {
      return List.of("no campaign traffic", NONE, NONE, NONE, NONE, precision, recall);
    }
    int accounts = 0;
    int enforced = 0;
    int withinHour = 0;
    long requests = 0;
    long leaked = 0;
    int detected = 0;
    Duration slowest = null;
    for (Scoreboard.CampaignScore c : campaigns) {
      accounts += c.accounts();
      enforced += c.accountsEnforced();
      withinHour += c.accountsEnforcedWithinHour();
      requests += c.requests();
      leaked += c.requestsLeaked();
      if (c.detected()) {
        detected++;
        if (slowest == null || c.timeToFirstDecision().compareTo(slowest) > 0) {
          slowest = c.timeToFirstDecision();
        }
      }
    }
    String detectedText = detected == campaigns.size() ? "yes"
        : detected == 0 ? "**no**" : "**" + detected + " of " + campaigns.size() + "**";
    return List.of(detectedText, slowest == null ? "never" : duration(slowest), percent(share(enforced, accounts)),
        percent(share(withinHour, accounts)), percent(share(leaked, requests)), precision, recall);
  }

  private static void scenarios(StringBuilder md, List<ScenarioOutcome> outcomes, Charts charts)
      throws IOException {
    md.append("## Scenarios\n\n");
    for (ScenarioOutcome outcome : outcomes) {
      md.append("### ").append(outcome.name()).append("\n\n");
      md.append(oneLine(outcome.description())).append("\n\n");
      md.append(String.format(Locale.ROOT, "%s. Calls: %s, decision records: %s, dead letters: %s, job time: %s.",
          outcome.adversarial() ? "Adversarial" : "Benign", count(outcome.calls()), count(decisionRecords(outcome)),
          count(outcome.deadLetters()), duration(outcome.jobTime())));
      if (outcome.adversarial()) {
        md.append(" Account precision ").append(score(outcome.score().precision())).append(", recall ")
            .append(score(outcome.score().recall())).append('.');
      }
      md.append("\n\n");
      if (!outcome.score().campaigns().isEmpty()) {
        campaignTable(md, outcome);
      } else if (outcome.adversarial()) {
        md.append("The scenario produced no campaign traffic.\n\n");
      }
      benignTable(md, outcome.score().benign());
      decisionTable(md, outcome.decisionsByTypeAndAction());
      md.append(image(outcome.name() + ": " + TIMELINE_SUBTITLE, charts.timeline(outcome)));
    }
  }

  /** One column per campaign, one row per measure: campaigns are few, measures many. */
  private static void campaignTable(StringBuilder md, ScenarioOutcome outcome) {
    List<Scoreboard.CampaignScore> campaigns = outcome.score().campaigns();
    String[] header = new String[campaigns.size() + 1];
    header[0] = "campaign";
    int[] numericColumns = new int[campaigns.size()];
    for (int i = 0; i < campaigns.size(); i++) {
      header[i + 1] = campaigns.get(i).campaignId();
      numericColumns[i] = i + 1;
    }
    Table table = new Table(header).numeric(numericColumns);
    Instant scenarioStart = outcome.timeline().start();
    table.row(measure(campaigns, "population", Scoreboard.CampaignScore::population));
    table.row(measure(campaigns, "accounts", c -> count(c.accounts())));
    table.row(measure(campaigns, "requests", c -> count(c.requests())));
    table.row(measure(campaigns, "active (since scenario start)", c -> duration(Duration.between(scenarioStart,
        c.start())) + " to " + duration(Duration.between(scenarioStart, c.end()))));
    // Two decimals below one a minute: a low-and-slow campaign would otherwise read 0.0.
    table.row(measure(campaigns, "requests a minute", c -> String.format(Locale.ROOT,
        c.requestsPerMinute() < 1 ? "%.2f" : "%,.1f", c.requestsPerMinute())));
    table.row(measure(campaigns, "first throttle after its first request",
        c -> c.detected() ? duration(c.timeToFirstDecision()) : "**never**"));
    table.row(measure(campaigns, "accounts enforced", c -> countAndShare(c.accountsEnforced(), c.accounts())));
    table.row(measure(campaigns, "accounts enforced within its first hour",
        c -> countAndShare(c.accountsEnforcedWithinHour(), c.accounts())));
    table.row(measure(campaigns, "accounts active in its first hour", c -> count(c.accountsActiveInFirstHour())));
    table.row(measure(campaigns, "requests leaked", c -> countAndShare(c.requestsLeaked(), c.requests())));
    table.appendTo(md);
  }

  private static Object[] measure(List<Scoreboard.CampaignScore> campaigns, String name,
      Function<Scoreboard.CampaignScore, String> value) {
    return Stream.concat(Stream.of(name), campaigns.stream().map(value)).toArray();
  }

  private static void benignTable(StringBuilder md, Scoreboard.BenignScore benign) {
    Table table = new Table("benign accounts", "accounts", "enforced").numeric(1, 2);
    Set<String> populations = new TreeSet<>(benign.accountsByPopulation().keySet());
    populations.addAll(benign.enforcedByPopulation().keySet());
    for (String population : populations) {
      table.row("population " + population, count(benign.accountsByPopulation().getOrDefault(population, 0)),
          count(benign.enforcedByPopulation().getOrDefault(population, 0)));
    }
    table.row("all benign", count(benign.accounts()), countAndShare(benign.enforced(), benign.accounts()));
    table.row("heaviest 1% by requests", count(benign.heavyAccounts()), count(benign.heavyEnforced()));
    table.row("behind a shared address", count(benign.sharedAddressAccounts()), count(benign.sharedAddressEnforced()));
    table.appendTo(md);
    md.append("Benign accounts under REVIEW only, never throttled: ").append(count(benign.reviewedOnly()))
        .append(".\n\n");
  }

  private static void decisionTable(StringBuilder md, Map<String, Integer> byTypeAndAction) {
    if (byTypeAndAction.isEmpty()) {
      md.append("No decision records.\n\n");
      return;
    }
    Table table = new Table("decision records (type/action)", "records").numeric(1);
    new TreeMap<>(byTypeAndAction).forEach((typeAndAction, records) -> table.row(typeAndAction, count(records)));
    table.appendTo(md);
  }

  private static long decisionRecords(ScenarioOutcome outcome) {
    return outcome.decisionsByTypeAndAction().values().stream().mapToLong(Integer::longValue).sum();
  }

  private static String image(String alt, String file) {
    return "![" + alt + "](" + CHART_DIRECTORY + "/" + file + ")\n\n";
  }

  // Formatting. Locale.ROOT throughout: the report must not depend on the machine's locale.

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String countAndShare(long n, long of) {
    return count(n) + " (" + percent(share(n, of)) + ")";
  }

  private static double share(long n, long of) {
    return of == 0 ? 0 : (double) n / of;
  }

  /**
   * One decimal; a share that is neither none nor all never rounds to 0.0% or 100.0%, so a single
   * throttled customer among thousands still shows.
   */
  static String percent(double share) {
    double percent = 100 * share;
    if (percent > 0 && percent < 0.05) {
      return "<0.1%";
    }
    if (percent < 100 && percent >= 99.95) {
      return ">99.9%";
    }
    return String.format(Locale.ROOT, "%.1f%%", percent);
  }

  private static String score(double score) {
    return String.format(Locale.ROOT, "%.3f", score);
  }

  /** As the targets write durations: 2m00s, 75m30s. */
  private static String duration(Duration d) {
    return Targets.minutes(d);
  }

  /** A setting as given: 1 rather than 1.0, 0.1 rather than 0.100000000000000006. */
  private static String plain(double value) {
    return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  /** Text that must stay on one line, in a list item or a table cell. */
  private static String oneLine(String text) {
    return text.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  /** A Markdown table; cells are kept on one line and their pipes escaped. */
  private static final class Table {
    private final List<String> header;
    private final boolean[] numeric;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
      this.header = List.of(header);
      this.numeric = new boolean[header.length];
    }

    /** Right-aligns these columns. */
    Table numeric(int... columns) {
      for (int column : columns) {
        numeric[column] = true;
      }
      return this;
    }

    void row(Object... cells) {
      if (cells.length != header.size()) {
        throw new IllegalArgumentException("row of " + cells.length + " cells for " + header.size() + " columns");
      }
      rows.add(Arrays.stream(cells).map(cell -> oneLine(String.valueOf(cell)).replace("|", "\\|")).toList());
    }

    void appendTo(StringBuilder md) {
      md.append("| ").append(String.join(" | ", header)).append(" |\n|");
      for (boolean right : numeric) {
        md.append(right ? "---:|" : "---|");
      }
      md.append('\n');
      for (List<String> row : rows) {
        md.append("| ").append(String.join(" | ", row)).append(" |\n");
      }
      md.append('\n');
    }
  }

  /** Draws the charts into one directory and remembers which files it wrote. */
  private static final class Charts {
    private final Path directory;
    private final Set<String> written = new TreeSet<>();

    Charts(Path directory) {
      this.directory = directory;
    }

    /**
     * Requests per minute (left axis) and accounts enforced so far (right axis) over the scenario, in
     * event time. Long scenarios are drawn in buckets, requests as the bucket's mean per minute and
     * accounts as of the bucket's end.
     */
    String timeline(ScenarioOutcome outcome) throws IOException {
      Timeline timeline = outcome.timeline();
      int minutes = timeline.minutes();
      int bucket = bucketMinutes(minutes);
      boolean inHours = minutes > HOURS_AXIS_FROM_MINUTES;
      double minutesPerUnit = inHours ? 60 : 1;

      XYSeriesCollection requests = new XYSeriesCollection();
      XYSeriesCollection enforced = new XYSeriesCollection();
      List<Color> requestColors = new ArrayList<>();
      List<Color> enforcedColors = new ArrayList<>();
      requests.addSeries(rateSeries("benign requests per minute", timeline.benignRequests(), bucket, minutesPerUnit));
      requestColors.add(BENIGN);
      if (outcome.adversarial()) {
        requests.addSeries(rateSeries("campaign requests per minute", timeline.campaignRequests(), bucket,
            minutesPerUnit));
        requestColors.add(CAMPAIGN);
        enforced.addSeries(cumulativeSeries("campaign accounts enforced", timeline.campaignAccountsEnforced(),
            bucket, minutesPerUnit));
        enforcedColors.add(CAMPAIGN);
      }
      enforced.addSeries(cumulativeSeries("benign accounts enforced", timeline.benignAccountsEnforced(), bucket,
          minutesPerUnit));
      enforcedColors.add(BENIGN);

      String unit = inHours ? "hours" : "minutes";
      String bucketNote = bucket == 1 ? "" : "; " + bucket + "-minute buckets";
      NumberAxis time = new NumberAxis(unit + " since scenario start (event time" + bucketNote + ")");
      time.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
      time.setRange(0, Math.max(1, minutes / minutesPerUnit));
      NumberAxis rate = countAxis(bucket == 1 ? "requests per minute" : "requests per minute (bucket mean)");
      NumberAxis accounts = countAxis("accounts enforced (cumulative)");

      XYAreaRenderer areas = new XYAreaRenderer(XYAreaRenderer.AREA);
      // The outline keeps a campaign far smaller than the benign traffic visible as a line.
      areas.setOutline(true);
      for (int i = 0; i < requestColors.size(); i++) {
        areas.setSeriesPaint(i, translucent(requestColors.get(i)));
        areas.setSeriesOutlinePaint(i, requestColors.get(i));
        areas.setSeriesOutlineStroke(i, new BasicStroke(1f));
      }
      XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
      for (int i = 0; i < enforcedColors.size(); i++) {
        lines.setSeriesPaint(i, enforcedColors.get(i).darker());
        lines.setSeriesStroke(i, new BasicStroke(2.5f));
      }

      XYPlot plot = new XYPlot(requests, time, rate, areas);
      plot.setRangeAxis(1, accounts);
      plot.setDataset(1, enforced);
      plot.mapDatasetToRangeAxis(1, 1);
      plot.setRenderer(1, lines);
      // Lines over areas, and each area in the order added, so the campaign is drawn over the background.
      plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
      plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
      style(plot);

      JFreeChart chart = chart(outcome.name(), plot);
      chart.addSubtitle(new TextTitle(TIMELINE_SUBTITLE, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
      return save("timeline-" + fileName(outcome.name()) + ".png", chart, TIMELINE_HEIGHT);
    }

    String precisionRecall(List<ScenarioOutcome> adversarial) throws IOException {
      DefaultCategoryDataset dataset = new DefaultCategoryDataset();
      for (ScenarioOutcome outcome : adversarial) {
        dataset.addValue(outcome.score().precision(), "account precision", outcome.name());
        dataset.addValue(outcome.score().recall(), "account recall", outcome.name());
      }
      NumberAxis share = new NumberAxis("share of accounts");
      // Room to the right of a full bar for its label.
      share.setRange(0, 1.12);
      share.setTickUnit(new NumberTickUnit(0.2, decimalFormat("0.0")));
      BarRenderer bars = barRenderer(new StandardCategoryItemLabelGenerator("{2}", decimalFormat("0.00")));
      bars.setSeriesPaint(0, BENIGN);
      bars.setSeriesPaint(1, RECALL);
      CategoryPlot plot = new CategoryPlot(dataset, new CategoryAxis(null), share, bars);
      return save(PRECISION_RECALL_CHART, barChart("Precision and recall per adversarial scenario", plot, true),
          barChartHeight(adversarial.size()));
    }

    /** Linear, with each bar labelled "n of N": the counts are small and zero is the answer hoped for. */
    String benignEnforced(List<ScenarioOutcome> benign) throws IOException {
      DefaultCategoryDataset dataset = new DefaultCategoryDataset();
      Map<String, Scoreboard.BenignScore> scores = new TreeMap<>();
      for (ScenarioOutcome outcome : benign) {
        dataset.addValue(outcome.score().benign().enforced(), "benign accounts enforced", outcome.name());
        scores.put(outcome.name(), outcome.score().benign());
      }
      NumberAxis enforced = countAxis("accounts");
      enforced.setUpperMargin(0.2);
      BarRenderer bars = barRenderer(new OfBenignAccounts(scores));
      bars.setSeriesPaint(0, BENIGN);
      CategoryPlot plot = new CategoryPlot(dataset, new CategoryAxis(null), enforced, bars);
      return save(BENIGN_ENFORCED_CHART,
          barChart("Benign accounts throttled or blocked per benign scenario", plot, false),
          barChartHeight(benign.size()));
    }

    /** Deletes PNGs in the directory that this run did not write: charts of scenarios no longer run. */
    void deleteStale() throws IOException {
      try (Stream<Path> files = Files.list(directory)) {
        for (Path file : files.toList()) {
          String name = file.getFileName().toString();
          if (name.endsWith(".png") && !written.contains(name)) {
            Files.delete(file);
          }
        }
      }
    }

    private String save(String file, JFreeChart chart, int height) throws IOException {
      ChartUtils.saveChartAsPNG(directory.resolve(file).toFile(), chart, CHART_WIDTH, height);
      written.add(file);
      return file;
    }

    private static int bucketMinutes(int minutes) {
      for (int bucket : BUCKET_MINUTES) {
        if (minutes <= bucket * MAX_TIMELINE_BUCKETS) {
          return bucket;
        }
      }
      return BUCKET_MINUTES[BUCKET_MINUTES.length - 1];
    }

    /** Each bucket's mean per minute, at the bucket's start. */
    private static XYSeries rateSeries(String name, int[] perMinute, int bucket, double minutesPerUnit) {
      XYSeries series = new XYSeries(name, false, false);
      for (int start = 0; start < perMinute.length; start += bucket) {
        int end = Math.min(start + bucket, perMinute.length);
        long sum = 0;
        for (int minute = start; minute < end; minute++) {
          sum += perMinute[minute];
        }
        series.add(start / minutesPerUnit, (double) sum / (end - start));
      }
      return series;
    }

    /** The running total at each bucket's end, from zero at the start. */
    private static XYSeries cumulativeSeries(String name, int[] byEndOfMinute, int bucket, double minutesPerUnit) {
      XYSeries series = new XYSeries(name, false, false);
      series.add(0, 0);
      for (int start = 0; start < byEndOfMinute.length; start += bucket) {
        int end = Math.min(start + bucket, byEndOfMinute.length);
        series.add(end / minutesPerUnit, byEndOfMinute[end - 1]);
      }
      return series;
    }

    /** A count axis from zero; all zeros show as a line on the floor, not in the middle of the plot. */
    private static NumberAxis countAxis(String label) {
      NumberAxis axis = new NumberAxis(label);
      axis.setRangeType(RangeType.POSITIVE);
      axis.setAutoRangeIncludesZero(true);
      axis.setAutoRangeMinimumSize(1);
      axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
      return axis;
    }

    private static BarRenderer barRenderer(CategoryItemLabelGenerator labels) {
      BarRenderer bars = new BarRenderer();
      bars.setBarPainter(new StandardBarPainter());
      bars.setShadowVisible(false);
      bars.setItemMargin(0.05);
      // A run of one or two scenarios would otherwise fill the chart with two slabs.
      bars.setMaximumBarWidth(0.12);
      bars.setDefaultItemLabelGenerator(labels);
      bars.setDefaultItemLabelsVisible(true);
      bars.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
      bars.setDefaultPositiveItemLabelPosition(
          new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
      bars.setItemLabelAnchorOffset(3);
      return bars;
    }

    /** Horizontal bars: scenario names are long and read best left of their bars. */
    private static JFreeChart barChart(String title, CategoryPlot plot, boolean legend) {
      plot.setOrientation(PlotOrientation.HORIZONTAL);
      plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
      plot.setBackgroundPaint(Color.WHITE);
      plot.setRangeGridlinePaint(GRID);
      plot.setOutlineVisible(false);
      JFreeChart chart = chart(title, plot);
      if (!legend) {
        chart.removeLegend();
      }
      return chart;
    }

    private static int barChartHeight(int categories) {
      return Math.max(300, 130 + 34 * categories);
    }

    private static void style(XYPlot plot) {
      plot.setBackgroundPaint(Color.WHITE);
      plot.setDomainGridlinePaint(GRID);
      plot.setRangeGridlinePaint(GRID);
      plot.setOutlineVisible(false);
    }

    private static JFreeChart chart(String title, Plot plot) {
      JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
      chart.setBackgroundPaint(Color.WHITE);
      LegendTitle legend = chart.getLegend();
      legend.setPosition(RectangleEdge.BOTTOM);
      legend.setFrame(BlockBorder.NONE);
      return chart;
    }

    private static Color translucent(Color color) {
      return new Color(color.getRed(), color.getGreen(), color.getBlue(), 90);
    }

    private static NumberFormat decimalFormat(String pattern) {
      return new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
    }

    private static String fileName(String scenario) {
      return scenario.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }
  }

  /** Labels a benign scenario's bar "n of N" with its benign accounts. */
  private record OfBenignAccounts(Map<String, Scoreboard.BenignScore> byScenario)
      implements CategoryItemLabelGenerator {

    @Override
    public String generateLabel(CategoryDataset dataset, int row, int column) {
      Scoreboard.BenignScore score = byScenario.get((String) dataset.getColumnKey(column));
      return count(score.enforced()) + " of " + count(score.accounts());
    }

    @Override
    public String generateRowLabel(CategoryDataset dataset, int row) {
      return dataset.getRowKey(row).toString();
    }

    @Override
    public String generateColumnLabel(CategoryDataset dataset, int column) {
      return dataset.getColumnKey(column).toString();
    }
  }
}
