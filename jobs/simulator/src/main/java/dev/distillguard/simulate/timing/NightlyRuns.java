package dev.distillguard.simulate.timing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A scheduled harness: see {@link Timing#nightlyRuns}. */
record NightlyRuns(int hourUtc, int requests, Duration period) implements Timing {

  private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
  private static final double JITTER = 0.05;

  NightlyRuns {
    if (hourUtc < 0 || hourUtc > 23 || requests < 1 || period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("bad nightly run: hour " + hourUtc + ", " + requests + " every " + period);
    }
  }

  @Override
  public ArrivalProcess start(long fromMillis, long untilMillis, SplittableRandom rng) {
    long periodMillis = period.toMillis();
    long runMillis = requests * periodMillis;
    List<Long> runStarts = new ArrayList<>();
    long start = Math.floorDiv(fromMillis, DAY_MILLIS) * DAY_MILLIS + hourUtc * Duration.ofHours(1).toMillis();
    if (start < fromMillis) {
      start += DAY_MILLIS;
    }
    for (; start + runMillis <= untilMillis; start += DAY_MILLIS) {
      runStarts.add(start);
    }
    if (runStarts.isEmpty()) {
      runStarts.add(fromMillis + (untilMillis - fromMillis) / 4);
    }
    return new ArrivalProcess() {
      private int run;
      private int sentInRun;
      private double time = runStarts.get(0);

      @Override
      public long next(SplittableRandom r) {
        if (sentInRun == requests) {
          run++;
          sentInRun = 0;
          if (run == runStarts.size()) {
            return END;
          }
          time = runStarts.get(run);
        }
        if (sentInRun > 0) {
          time += periodMillis * (1 + JITTER * (2 * r.nextDouble() - 1));
        }
        sentInRun++;
        return time < untilMillis ? (long) time : END;
      }
    };
  }
}
