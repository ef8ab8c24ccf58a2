package dev.distillguard.workbench.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.WindowFeatures;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CalibratorTest {

  private static final long MINUTE = 60_000;
  private final DetectorConfig config = DetectorConfig.defaults();

  @Test
  void thePeakIsTheWeakestWindowOfTheBestRunAsThePatternWouldGradeIt() {
    Calibrator calibrator = new Calibrator(config, 0.001);
    // Account windows 0.9, 0.6, 0.9, 0.9: the sustained pattern needs 3 in a row, so the best run is 0.6.
    List<WindowFeatures> windows = windows(KeySpace.ACCOUNT, "acct-1", List.of("acct-1"), 0.9, 0.6, 0.9, 0.9);
    calibrator.addBenignScenario("s", windows, accounts(1000), Set.of());
    Calibration c = calibrator.calibrate();
    assertThat(peak(c, "ACCOUNT").benignPeakPatternScore()).isEqualTo(0.6);
    assertThat(peak(c, "ACCOUNT").scenario()).isEqualTo("s");
    assertThat(peak(c, "ACCOUNT").benignKeysReported()).isEqualTo(1);
    // One account of 1,000 is within the 0.1% budget at any threshold: the lowest, plus the margin.
    assertThat(c.recommendedThrottle()).isEqualTo(0.6);
  }

  @Test
  void aGapBetweenWindowsBreaksTheRun() {
    Calibrator calibrator = new Calibrator(config, 0.001);
    List<WindowFeatures> windows = windows(KeySpace.ACCOUNT, "a", List.of("a"), 0.9, 0.9, 0.9);
    windows.get(2).setWindowEnd(windows.get(2).getWindowEnd() + MINUTE);
    calibrator.addBenignScenario("s", windows, accounts(10), Set.of());
    assertThat(peak(calibrator.calibrate(), "ACCOUNT").benignPeakPatternScore()).isZero();
  }

  @Test
  void aRunThatWouldThrottleManyBenignAccountsRaisesTheThreshold() {
    Calibrator calibrator = new Calibrator(config, 0.001);
    List<String> crowd = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      crowd.add("acct-" + i);
    }
    calibrator.addBenignScenario("crowd", windows(KeySpace.TEMPLATE, "b0:1", crowd, 0.72, 0.75), accounts(1000),
        Set.of());
    Calibration c = calibrator.calibrate();
    assertThat(peak(c, "TEMPLATE").benignPeakPatternScore()).isEqualTo(0.72);
    // 50 of 1,000 accounts is over budget at 0.72 and below; at 0.73 nobody is hit: 0.73 + 0.1, up to 0.85.
    assertThat(calibrator.withinBudget(0.72)).isFalse();
    assertThat(calibrator.withinBudget(0.73)).isTrue();
    assertThat(c.recommendedThrottle()).isEqualTo(0.85);
  }

  @Test
  void aProtectedAccountIsNeverWithinBudget() {
    Calibrator calibrator = new Calibrator(config, 0.5);
    calibrator.addBenignScenario("heavy", windows(KeySpace.ACCOUNT, "vip", List.of("vip"), 0.8, 0.8, 0.8),
        accounts(10), Set.of("vip"));
    assertThat(calibrator.withinBudget(0.8)).isFalse();
    assertThat(calibrator.withinBudget(0.81)).isTrue();
  }

  @Test
  void subnetRunsNeverThrottleWhileSubnetsOnlyReview() {
    Calibrator calibrator = new Calibrator(config, 0.0);
    calibrator.addBenignScenario("nat", windows(KeySpace.SUBNET, "10.0.0.0/24", List.of("a", "b"), 0.9, 0.9, 0.9),
        accounts(10), Set.of());
    assertThat(calibrator.withinBudget(0.5)).isTrue();
  }

  private static Calibration.KeySpacePeak peak(Calibration c, String space) {
    return c.keySpaces().stream().filter(p -> p.keySpace().equals(space)).findFirst().orElseThrow();
  }

  private static Set<String> accounts(int n) {
    Set<String> out = new HashSet<>(List.of("a", "b", "vip", "acct-1"));
    for (int i = 0; out.size() < n; i++) {
      out.add("acct-" + i);
    }
    return out;
  }

  private static List<WindowFeatures> windows(KeySpace space, String key, List<String> accounts, double... scores) {
    List<WindowFeatures> out = new ArrayList<>();
    for (int i = 0; i < scores.length; i++) {
      WindowFeatures f = new WindowFeatures();
      f.setKeySpace(space);
      f.setKey(key);
      f.setWindowEnd(100 * MINUTE + i * MINUTE);
      f.setWindowStart(f.getWindowEnd() - 10 * MINUTE);
      f.setScore(scores[i]);
      f.setAccounts(accounts);
      out.add(f);
    }
    return out;
  }
}
