package dev.distillguard.simulate.timing;

import java.util.SplittableRandom;

/** The request times of one account, in order. */
@FunctionalInterface
public interface ArrivalProcess {

  /** Returned by {@link #next} once the account has sent its last request. */
  long END = Long.MAX_VALUE;

  /** Epoch millis of the next request, never before the previous one, or {@link #END}. */
  long next(SplittableRandom rng);
}
