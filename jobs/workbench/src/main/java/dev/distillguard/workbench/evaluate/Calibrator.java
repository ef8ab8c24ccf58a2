package dev.distillguard.workbench.evaluate;

import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.WindowFeatures;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sets the throttle threshold from benign traffic only. For every benign key it replays what the
 * patterns would grade (the weakest window of each run of consecutive windows a pattern needs), then
 * finds the lowest threshold at which the accounts those runs would throttle stay within the
 * false-throttle budget and include no protected account; the recommendation adds a margin for benign
 * traffic the catalogue does not have.
 */
public final class Calibrator {

  /** Added to the lowest threshold within budget, then rounded up to a multiple of 0.05. */
  static final double MARGIN = 0.1;

  private final DetectorConfig config;
  private final double budget;
  private final List<Run> runs = new ArrayList<>();
  private final Map<KeySpace, Double> peakScore = new HashMap<>();
  private final Map<KeySpace, String> peakScenario = new HashMap<>();
  private final Map<KeySpace, Integer> keysReported = new HashMap<>();
  private final Set<String> benignAccounts = new HashSet<>();
  private final Set<String> protectedAccounts = new HashSet<>();

  /** A run of consecutive windows of one key, graded as its pattern would grade it. */
  private record Run(KeySpace space, double score, Set<String> accounts) {}

  public Calibrator(DetectorConfig config, double budget) {
    this.config = config;
    this.budget = budget;
  }

  /**
   * Adds one benign scenario: the window features its run reported and its benign accounts, with those
   * of the protected populations apart.
   */
  public void addBenignScenario(String scenario, List<WindowFeatures> features, Set<String> accounts,
      Set<String> protectedOnes) {
    benignAccounts.addAll(accounts);
    protectedAccounts.addAll(protectedOnes);
    Map<String, List<WindowFeatures>> byKey = new HashMap<>();
    for (WindowFeatures f : features) {
      byKey.computeIfAbsent(f.getKeySpace() + "/" + f.getKey(), k -> new ArrayList<>()).add(f);
    }
    for (List<WindowFeatures> windows : byKey.values()) {
      windows.sort(Comparator.comparingLong(WindowFeatures::getWindowEnd));
      KeySpace space = windows.get(0).getKeySpace();
      keysReported.merge(space, 1, Integer::sum);
      int needed = space == KeySpace.TEMPLATE ? config.patterns().campaignWindows() : config.patterns().sustainedWindows();
      for (int i = 0; i + needed <= windows.size(); i++) {
        if (!contiguous(windows, i, needed)) {
          continue;
        }
        double score = 1.0;
        Set<String> covered = new HashSet<>();
        for (int j = i; j < i + needed; j++) {
          score = Math.min(score, windows.get(j).getScore());
          covered.addAll(windows.get(j).getAccounts());
        }
        runs.add(new Run(space, score, covered));
        if (score > peakScore.getOrDefault(space, -1.0)) {
          peakScore.put(space, score);
          peakScenario.put(space, scenario);
        }
      }
    }
  }

  private boolean contiguous(List<WindowFeatures> windows, int from, int count) {
    long slide = config.features().slideMillis();
    for (int j = from + 1; j < from + count; j++) {
      if (windows.get(j).getWindowEnd() != windows.get(j - 1).getWindowEnd() + slide) {
        return false;
      }
    }
    return true;
  }

  public Calibration calibrate() {
    double review = config.scoring().actions().review();
    double lowest = review;
    for (int step = (int) Math.round(review * 100); step <= 100; step++) {
      double threshold = step / 100.0;
      if (withinBudget(threshold)) {
        lowest = threshold;
        break;
      }
      lowest = 1.0;
    }
    double recommended = Math.min(config.scoring().actions().block(), Math.ceil((lowest + MARGIN) * 20 - 1e-9) / 20);
    List<Calibration.KeySpacePeak> list = new ArrayList<>();
    for (KeySpace space : KeySpace.values()) {
      list.add(new Calibration.KeySpacePeak(space.name(), Math.max(0.0, peakScore.getOrDefault(space, 0.0)),
          peakScenario.getOrDefault(space, "-"), keysReported.getOrDefault(space, 0)));
    }
    return new Calibration(budget, list, recommended, config.scoring().actions().throttle());
  }

  /** Whether throttling at {@code threshold} keeps benign accounts within budget and protected ones untouched. */
  boolean withinBudget(double threshold) {
    Set<String> hit = new HashSet<>();
    for (Run run : runs) {
      if (run.score() >= threshold && canThrottle(run.space())) {
        hit.addAll(run.accounts());
      }
    }
    hit.retainAll(benignAccounts);
    for (String account : hit) {
      if (protectedAccounts.contains(account)) {
        return false;
      }
    }
    return hit.size() <= budget * benignAccounts.size();
  }

  private boolean canThrottle(KeySpace space) {
    return space != KeySpace.SUBNET || config.scoring().subnet().maxAction() != ThrottleAction.REVIEW;
  }
}
