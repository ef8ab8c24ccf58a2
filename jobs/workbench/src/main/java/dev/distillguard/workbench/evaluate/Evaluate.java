package dev.distillguard.workbench.evaluate;

import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.simulate.LabelledCall;
import dev.distillguard.simulate.Population;
import dev.distillguard.simulate.Scenario;
import dev.distillguard.simulate.ScenarioCatalogue;
import dev.distillguard.simulate.ScenarioDefinition;
import dev.distillguard.testkit.LocalKafkaBroker;
import dev.distillguard.workbench.FeatureTap;
import dev.distillguard.workbench.LocalDetectorRun;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The evaluation command: runs scenarios of the catalogue through the real job against a real Kafka
 * broker, one job per scenario, scores the decisions against the labels, calibrates the throttle
 * threshold on the benign scenarios, checks the targets and writes the report.
 *
 * <pre>bin/evaluate [--scenario NAME[,NAME...]|all] [--scale X] [--seed N] [--report DIR] [--set key=value]...</pre>
 */
public final class Evaluate {

  /** Share of benign accounts a threshold may throttle: the false-throttle budget. */
  static final double BUDGET = 0.001;

  /** Options of one evaluation. */
  public record Options(List<String> scenarios, double scale, long seed, int parallelism, Path reportDir,
      Map<String, String> settings, String command) {}

  private Evaluate() {}

  public static void main(String[] args) throws Exception {
    Options options = parse(args);
    EvaluationRun run = run(options, System.out);
    if (options.reportDir() != null) {
      Path report = ReportWriter.write(run, options.reportDir());
      System.out.println("Report written to " + report);
    }
    long missed = run.targets().stream().filter(t -> !t.met()).count();
    System.out.printf(Locale.ROOT, "%d of %d target checks met%n", run.targets().size() - missed, run.targets().size());
  }

  static Options parse(String[] args) {
    List<String> scenarios = ScenarioCatalogue.standard().names();
    double scale = 1.0;
    long seed = 1;
    int parallelism = 2;
    Path report = Path.of("docs");
    Map<String, String> settings = new TreeMap<>();
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--scenario" -> scenarios = value.equals(ScenarioCatalogue.ALL) ? scenarios : List.of(value.split(","));
        case "--scale" -> scale = Double.parseDouble(value);
        case "--seed" -> seed = Long.parseLong(value);
        case "--parallelism" -> parallelism = Integer.parseInt(value);
        case "--report" -> report = value.equals("none") ? null : Path.of(value);
        case "--set" -> {
          int eq = value.indexOf('=');
          if (eq < 1) {
            throw new IllegalArgumentException("--set wants key=value, was " + value);
          }
          settings.put(value.substring(0, eq), value.substring(eq + 1));
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; usage: bin/evaluate [--scenario NAME[,NAME...]|all] [--scale X] [--seed N] [--parallelism P]"
            + " [--report DIR|none] [--set key=value]...");
      }
      i++;
    }
    for (String name : scenarios) {
      ScenarioCatalogue.standard().definition(name);
    }
    return new Options(scenarios, scale, seed, parallelism, report, settings,
        "bin/evaluate " + String.join(" ", args));
  }

  public static EvaluationRun run(Options options, PrintStream out) throws Exception {
    long started = System.nanoTime();
    List<ScenarioOutcome> outcomes = new ArrayList<>();
    DetectorConfig base = DetectorConfig.fromArgs(overrides(options.settings()));
    Calibrator calibrator = new Calibrator(base, BUDGET);
    out.println("Starting a Kafka broker ...");
    try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
      for (String name : options.scenarios()) {
        ScenarioDefinition definition = ScenarioCatalogue.standard().definition(name);
        ScenarioOutcome outcome = evaluate(broker, definition, options, calibrator);
        outcomes.add(outcome);
        out.println(oneLine(outcome));
      }
    }
    List<TargetCheck> targets = Targets.check(outcomes);
    return new EvaluationRun(Instant.now(), options.command(), options.scale(), options.seed(), machine(),
        Duration.ofNanos(System.nanoTime() - started), options.settings(), outcomes, targets,
        calibrator.calibrate());
  }

  static ScenarioOutcome evaluate(LocalKafkaBroker broker, ScenarioDefinition definition, Options options,
      Calibrator calibrator) throws Exception {
    String name = definition.name();
    Scenario traffic = definition.scenario(options.seed(), options.scale(), Scenario.DEFAULT_START);
    boolean adversarial = definition.populations(options.scale()).stream().anyMatch(Population::campaign);

    List<String> args = new ArrayList<>(List.of("--input.topic", "eval." + name + ".gateway",
        "--throttle.topic", "eval." + name + ".throttle", "--dead-letter.topic", "eval." + name + ".dead-letters",
        "--transactional-id.prefix", "eval-" + name));
    args.addAll(List.of(overrides(options.settings())));
    DetectorConfig config = LocalDetectorRun.config(broker, args.toArray(String[]::new));
    LocalDetectorRun.createTopics(broker, config, 3);
    long calls = LocalDetectorRun.write(broker, config, traffic);

    FeatureTap tap = adversarial ? null : new FeatureTap();
    LocalDetectorRun.Result result = LocalDetectorRun.run(broker, config, options.parallelism(), tap);
    List<ThrottleDecision> decisions = result.decisions();
    Scoreboard score = Scoreboard.score(traffic, decisions);
    if (!adversarial) {
      Set<String> accounts = new HashSet<>();
      Set<String> protectedOnes = new HashSet<>();
      for (LabelledCall call : traffic) {
        accounts.add(call.call().getAccountId());
        if (Targets.PROTECTED_POPULATIONS.contains(call.label().population())) {
          protectedOnes.add(call.call().getAccountId());
        }
      }
      calibrator.addBenignScenario(name, tap.drain(), accounts, protectedOnes);
    }
    Map<String, Integer> byTypeAndAction = new TreeMap<>();
    for (ThrottleDecision d : decisions) {
      byTypeAndAction.merge(d.getEntityType() + "/" + d.getAction(), 1, Integer::sum);
    }
    return new ScenarioOutcome(name, definition.description(), adversarial, calls, result.deadLetters().size(),
        result.jobTime(), score, Timelines.of(traffic, traffic.start(), traffic.end(), decisions), byTypeAndAction);
  }

  private static String[] overrides(Map<String, String> settings) {
    List<String> args = new ArrayList<>();
    settings.forEach((k, v) -> {
      args.add("--" + k);
      args.add(v);
    });
    return args.toArray(String[]::new);
  }

  static String oneLine(ScenarioOutcome o) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-24s %9d calls  %5.1f s  ", o.name(), o.calls(),
        o.jobTime().toMillis() / 1000.0));
    for (Scoreboard.CampaignScore c : o.score().campaigns()) {
      line.append(String.format(Locale.ROOT, "campaign %s: %s, %.1f%% accounts (%.1f%% in 1h)  ",
          c.campaignId(), c.detected() ? "first throttle " + Targets.minutes(c.timeToFirstDecision()) : "MISSED",
          100 * c.enforcedShare(), 100 * c.enforcedWithinHourShare()));
    }
    Scoreboard.BenignScore b = o.score().benign();
    line.append(String.format(Locale.ROOT, "benign throttled %d of %d, reviewed %d", b.enforced(), b.accounts(),
        b.reviewedOnly()));
    return line.toString();
  }

  static String machine() {
    Runtime rt = Runtime.getRuntime();
    return String.format(Locale.ROOT, "%d cores, %d GiB heap max, Java %s, %s %s", rt.availableProcessors(),
        rt.maxMemory() >> 30, System.getProperty("java.version"), System.getProperty("os.name"),
        System.getProperty("os.arch"));
  }
}
