package dev.distillguard.bench.jmh;

import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.features.FeatureSettings;
import dev.distillguard.detector.features.Panes;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
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
 * One call added to its key's pane ({@link Panes#add}), the per-call work of every feature operator.
 *
 * <p>The pane is replaced by a fresh one after every {@code callsPerPane} adds, as a key gets a new pane
 * every slide: otherwise its member sets would grow without bound across invocations and each add would
 * measure a bigger pane than the job ever holds. The fresh pane's cost is part of the figure, spread
 * over the calls of the pane, as it is in the job.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PaneAddBenchmark {

  @Param({"ACCOUNT", "SUBNET", "TEMPLATE"})
  public KeySpace keySpace;

  /** 20: a campaign key at a scripted pace; 200: a hot key, whose member sets and sample fill up. */
  @Param({"20", "200"})
  public int callsPerPane;

  private final FeatureSettings settings = DetectorConfig.defaults().features();
  private CallEvent[] calls;
  private Pane pane;
  private int next;

  @Setup
  public void setUp() {
    List<CallEvent> paneCalls = CampaignCalls.pane(keySpace, CampaignCalls.START, callsPerPane, settings,
        new SplittableRandom(42));
    calls = paneCalls.toArray(new CallEvent[0]);
  }

  @Benchmark
  public Pane add() {
    if (next == 0) {
      pane = Panes.empty(CampaignCalls.START);
    }
    Panes.add(pane, calls[next], keySpace, settings);
    next = next + 1 == calls.length ? 0 : next + 1;
    return pane;
  }
}
