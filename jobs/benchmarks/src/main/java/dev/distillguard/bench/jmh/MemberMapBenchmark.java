package dev.distillguard.bench.jmh;

import dev.distillguard.detector.features.Panes;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A pane's member map filled one member at a time, as a band key's pane is by the calls of a dense minute:
 * a lookup, then an insertion of a member not yet in it ({@code Panes.addMember}'s two steps). Per
 * member, for a map of each kind ({@link Panes.MemberMaps}) and of the sizes a band key's minute reaches at
 * hundreds, thousands and tens of thousands of calls per second (1,024 keys per band).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MemberMapBenchmark {

  private static final int MEMBERS_PER_INVOCATION = 3_000;

  @Param({"SORTED_ARRAYS", "HASHED"})
  public Panes.MemberMaps memberMaps;

  /** Members per map: a band key's minute at 500, 5,000 and 50,000 calls per second. */
  @Param({"30", "300", "3000"})
  public int members;

  private String[] names;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    names = new String[MEMBERS_PER_INVOCATION];
    for (int i = 0; i < names.length; i++) {
      names[i] = String.format("acct-%012x", random.nextLong() >>> 16);
    }
  }

  /** Fills {@code 3000 / members} fresh maps: the figure is per member inserted, the fresh map included. */
  @Benchmark
  @OperationsPerInvocation(MEMBERS_PER_INVOCATION)
  public int fill() {
    int total = 0;
    Map<String, Long> map = null;
    for (int i = 0; i < names.length; i++) {
      if (i % members == 0) {
        total += map == null ? 0 : map.size();
        map = Panes.empty(0L, memberMaps).getAccounts();
      }
      if (map.get(names[i]) == null) {
        map.put(names[i], (long) i);
      }
    }
    return total + map.size();
  }
}
