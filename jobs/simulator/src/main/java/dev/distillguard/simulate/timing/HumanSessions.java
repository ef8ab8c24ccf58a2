package dev.distillguard.simulate.timing;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * People at a keyboard. A session is one request plus on average {@code meanRequestsPerSession - 1}
 * follow-ups, each after a think time (log-normal around {@code medianThinkTime}); sessions start as a
 * Poisson process whose mean gap is drawn per account, log-uniformly, from {@code minSessionGap} to
 * {@code maxSessionGap}, so some people come back every half hour and others twice a day.
 */
public record HumanSessions(double meanRequestsPerSession, Duration medianThinkTime, Duration minSessionGap,
    Duration maxSessionGap) implements Timing {

  private static final double THINK_SIGMA = 0.7;
  private static final long MIN_THINK_MILLIS = 3_000;
  private static final long MAX_THINK_MILLIS = 15 * MINUTE_MILLIS;

  public HumanSessions {
    if (meanRequestsPerSession < 1) {
      throw new IllegalArgumentException("a session has at least one request: " + meanRequestsPerSession);
    }
    if (maxSessionGap.compareTo(minSessionGap) < 0 || minSessionGap.isZero() || minSessionGap.isNegative()) {
      throw new IllegalArgumentException("bad session gap range " + minSessionGap + ".." + maxSessionGap);
    }
  }

  @Override
  public ArrivalProcess start(long fromMillis, long untilMillis, SplittableRandom rng) {
    double meanGapMillis = Math.exp(rng.nextDouble(Math.log(minSessionGap.toMillis()),
        Math.nextUp(Math.log(maxSessionGap.toMillis()))));
    double thinkMedianMillis = medianThinkTime.toMillis();
    return new ArrivalProcess() {
      private double time = fromMillis;
      private int leftInSession;

      @Override
      public long next(SplittableRandom r) {
        if (leftInSession > 0) {
          leftInSession--;
          double think = thinkMedianMillis * Math.exp(THINK_SIGMA * r.nextGaussian());
          time += Math.max(MIN_THINK_MILLIS, Math.min(MAX_THINK_MILLIS, think));
        } else {
          time += r.nextExponential() * meanGapMillis;
          leftInSession = (int) (r.nextExponential() * (meanRequestsPerSession - 1) + 0.5);
        }
        return time < untilMillis ? (long) time : END;
      }
    };
  }
}
