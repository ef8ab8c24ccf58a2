package dev.distillguard.workbench.evaluate;

import java.util.List;

/**
 * Thresholds set from benign scenarios only: the highest score any benign key's pattern reached, per key
 * space, and the throttle threshold that keeps benign accounts within the false-throttle budget.
 *
 * @param budget the share of benign accounts that may be throttled or blocked, such as 0.001
 * @param keySpaces per key space, the benign peak and what it implies
 * @param recommendedThrottle the lowest throttle threshold within budget, with the margin added
 * @param configuredThrottle the threshold the evaluation ran with
 */
public record Calibration(double budget, List<KeySpacePeak> keySpaces, double recommendedThrottle,
    double configuredThrottle) {

  /**
   * @param keySpace ACCOUNT, SUBNET or TEMPLATE
   * @param benignPeakPatternScore the highest pattern score (the weakest window of a run of consecutive
   *     windows, as the patterns grade it) of any benign key
   * @param scenario where that peak came from
   * @param benignKeysReported benign keys with at least one reported window
   */
  public record KeySpacePeak(String keySpace, double benignPeakPatternScore, String scenario,
      int benignKeysReported) {}
}
