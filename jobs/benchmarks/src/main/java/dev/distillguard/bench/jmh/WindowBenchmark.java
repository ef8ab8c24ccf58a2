package dev.distillguard.bench.jmh;

import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.features.FeatureSettings;
import dev.distillguard.detector.features.FrozenPane;
import dev.distillguard.detector.features.RecordBytes;
import dev.distillguard.detector.features.WindowCalculator;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.WindowFeatures;
import dev.distillguard.detector.patterns.Scoring;
import dev.distillguard.detector.patterns.ScoringPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The work at a reported window end: the key's panes combined into the window's features
 * ({@link WindowCalculator#compute}), and those features scored ({@link Scoring#assess}). The window is
 * the default 10 minutes of 1-minute panes, {@value #CALLS_PER_PANE} campaign calls in each.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class WindowBenchmark {

  static final int CALLS_PER_PANE = 20;

  @Param({"ACCOUNT", "SUBNET", "TEMPLATE"})
  public KeySpace keySpace;

  private final DetectorConfig config = DetectorConfig.defaults();
  private final FeatureSettings settings = config.features();
  private final ScoringPolicy policy = config.scoring();
  private final long windowEnd = CampaignCalls.START + settings.windowMillis();
  private final String key = "bench-key";
  private List<FrozenPane> panes;
  private WindowFeatures features;

  @Setup
  public void setUp() {
    RecordBytes writer = new RecordBytes();
    panes = new ArrayList<>();
    for (Pane pane : CampaignCalls.window(keySpace, windowEnd, CALLS_PER_PANE, settings, new SplittableRandom(42))) {
      // Frozen, as the feature operator freezes a window's panes before it computes the window.
      panes.add(FrozenPane.of(pane, writer));
    }
    features = WindowCalculator.compute(keySpace, key, windowEnd, panes, settings);
    // A window below the key space's minimums is scored by an early return: that would not be the scoring
    // of a reported window.
    if (!Scoring.assess(features, policy).reportable()) {
      throw new IllegalStateException(keySpace + " window is not reportable: " + features);
    }
  }

  @Benchmark
  public WindowFeatures compute() {
    return WindowCalculator.compute(keySpace, key, windowEnd, panes, settings);
  }

  @Benchmark
  public Scoring.Assessment assess() {
    return Scoring.assess(features, policy);
  }
}
