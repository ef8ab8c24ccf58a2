package dev.distillguard.bench.jmh;

import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.features.TemplateBands;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The template key space's per-call keying: the LSH band keys of one call's SimHash
 * ({@link TemplateBands#key}, for every band of the default configuration).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TemplateBandsBenchmark {

  /** Calls taken in turn; a power of two, so rotating is a mask. */
  private static final int CALLS = 64;

  private final TemplateBands bands = new TemplateBands(DetectorConfig.defaults().templateBands());
  private CallEvent[] calls;
  private int next;

  @Setup
  public void setUp() {
    List<CallEvent> pane = CampaignCalls.pane(KeySpace.TEMPLATE, CampaignCalls.START, CALLS,
        DetectorConfig.defaults().features(), new SplittableRandom(42));
    calls = pane.toArray(new CallEvent[0]);
  }

  @Benchmark
  public void bandKeys(Blackhole blackhole) {
    long simhash = calls[next++ & (CALLS - 1)].getSimhash();
    for (int band = 0; band < bands.bands(); band++) {
      blackhole.consume(bands.key(simhash, band));
    }
  }

}
