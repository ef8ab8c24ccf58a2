package dev.distillguard.simulate.timing;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * When an account sends its requests within its active window. A timing is a reusable description;
 * {@link #start} gives one account its own {@link ArrivalProcess}.
 */
@FunctionalInterface
public interface Timing {

  long MINUTE_MILLIS = 60_000L;

  /** The arrivals of one account active from {@code fromMillis} (inclusive) to {@code untilMillis} (exclusive). */
  ArrivalProcess start(long fromMillis, long untilMillis, SplittableRandom rng);

  /**
   * A Poisson process (exponential gaps) at a rate drawn per account, log-uniformly, between
   * {@code minPerMinute} and {@code maxPerMinute}: machines serving independent users.
   */
  static Timing poisson(double minPerMinute, double maxPerMinute) {
    if (minPerMinute <= 0 || maxPerMinute < minPerMinute) {
      throw new IllegalArgumentException("bad rate range " + minPerMinute + ".." + maxPerMinute);
    }
    return (from, until, rng) -> {
      double perMinute = minPerMinute == maxPerMinute ? minPerMinute
          : Math.exp(rng.nextDouble(Math.log(minPerMinute), Math.log(maxPerMinute)));
      double meanGapMillis = MINUTE_MILLIS / perMinute;
      return new ArrivalProcess() {
        private double time = from;

        @Override
        public long next(SplittableRandom r) {
          time += r.nextExponential() * meanGapMillis;
          return time < until ? (long) time : END;
        }
      };
    };
  }

  /** A Poisson process at the same rate for every account. */
  static Timing poisson(double perMinute) {
    return poisson(perMinute, perMinute);
  }

  /**
   * A script's loop: {@code sleep(period * (1 ± jitter))}, with the period drawn per account uniformly
   * between {@code minPeriod} and {@code maxPeriod} and the first request at a random phase.
   *
   * @param jitter the uniform relative jitter of each gap, from 0 (a metronome) to below 1
   */
  static Timing periodic(Duration minPeriod, Duration maxPeriod, double jitter) {
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("jitter must be in [0, 1): " + jitter);
    }
    if (minPeriod.isNegative() || minPeriod.isZero() || maxPeriod.compareTo(minPeriod) < 0) {
      throw new IllegalArgumentException("bad period range " + minPeriod + ".." + maxPeriod);
    }
    return (from, until, rng) -> {
      double period = minPeriod.equals(maxPeriod) ? minPeriod.toMillis()
          : rng.nextDouble(minPeriod.toMillis(), maxPeriod.toMillis());
      return new ArrivalProcess() {
        private double time = from + rng.nextDouble() * period - period;

        @Override
        public long next(SplittableRandom r) {
          time += period * (1 + jitter * (2 * r.nextDouble() - 1));
          return time < until ? (long) Math.max(from, time) : END;
        }
      };
    };
  }

  /** A script's loop with the same period for every account. */
  static Timing periodic(Duration period, double jitter) {
    return periodic(period, period, jitter);
  }

  /**
   * A harness run once a night: {@code requests} requests, one every {@code period} with 5% jitter,
   * starting at {@code hourUtc}:00 UTC on every night within the window. When no such hour falls in the
   * window (a short scenario), one run starts a quarter into the window, so the harness shows up once.
   */
  static Timing nightlyRuns(int hourUtc, int requests, Duration period) {
    return new NightlyRuns(hourUtc, requests, period);
  }
}
