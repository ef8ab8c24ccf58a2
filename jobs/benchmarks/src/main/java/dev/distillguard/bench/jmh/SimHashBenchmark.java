package dev.distillguard.bench.jmh;

import dev.distillguard.contract.simhash.PromptSimHash;
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

/**
 * The gateway's per-call prompt hashing ({@link PromptSimHash#of}) and the comparison the template
 * clustering makes between two hashes ({@link PromptSimHash#distance}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SimHashBenchmark {

  private static final String TEMPLATE = "You are an expert competition mathematician. Solve the following"
      + " problem and think step by step, writing out every intermediate step before the final answer."
      + " State the rule you apply at each step, check each intermediate result, and verify the final"
      + " answer by substituting it back. Put your reasoning inside <thinking> tags and the final answer on"
      + " its own line. Problem: %s";

  /** Slot items a campaign script pastes in; a power of two of them, so rotating is a mask. */
  private static final String[] ITEMS = {
      "Solve 7x + 12 = 47.",
      "What is the remainder of 3^41 mod 17?",
      "How many divisors does 360 have?",
      "Expand (x + 4)^5 and simplify.",
  };

  private String[] prompts;
  private long[] hashes;
  private int next;

  @Setup
  public void setUp() {
    prompts = new String[ITEMS.length];
    hashes = new long[ITEMS.length];
    for (int i = 0; i < ITEMS.length; i++) {
      prompts[i] = String.format(TEMPLATE, ITEMS[i]);
      hashes[i] = PromptSimHash.of(prompts[i]);
    }
  }

  /** One ~65-word prompt hashed, the variants taken in turn so no one string's branches are learnt. */
  @Benchmark
  public long simHashOf() {
    return PromptSimHash.of(prompts[next++ & (prompts.length - 1)]);
  }

  /** Hamming distance between two near-duplicate prompts' hashes. */
  @Benchmark
  public int simHashDistance() {
    int i = next++;
    return PromptSimHash.distance(hashes[i & (hashes.length - 1)], hashes[(i + 1) & (hashes.length - 1)]);
  }
}
