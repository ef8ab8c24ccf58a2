package dev.distillguard.simulate.account;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** When a population's accounts were created, relative to when each starts sending. */
@FunctionalInterface
public interface AccountAges {

  long DAY_MILLIS = Duration.ofDays(1).toMillis();

  /** The creation clock of one population in one run (batches must agree across accounts). */
  Clock prepare();

  @FunctionalInterface
  interface Clock {
    /** Creation time of account {@code index}, which sends its first request at {@code activeFromMillis}. */
    Instant createdAt(int index, long activeFromMillis, SplittableRandom rng);
  }

  /**
   * Organic accounts: most created 30 days to 3 years ago (log-uniform, so younger ones are common),
   * {@code newShare} of them signed up in the last two weeks.
   */
  static AccountAges established(double newShare) {
    return () -> (index, activeFrom, rng) -> {
      double days = rng.nextDouble() < newShare
          ? rng.nextDouble(0.02, 14)
          : Math.exp(rng.nextDouble(Math.log(30), Math.log(3 * 365)));
      return Instant.ofEpochMilli(activeFrom - (long) (days * DAY_MILLIS));
    };
  }

  /**
   * A campaign's accounts, registered in batches of {@code batchSize} by a script: each batch within
   * twenty minutes, {@code minBefore..maxBefore} before the batch's first account goes to work.
   */
  static AccountAges batches(int batchSize, Duration minBefore, Duration maxBefore) {
    long batchSpreadMillis = Duration.ofMinutes(20).toMillis();
    return () -> {
      Map<Integer, Long> batchStarts = new HashMap<>();
      return (index, activeFrom, rng) -> {
        long batchStart = batchStarts.computeIfAbsent(index / batchSize,
            batch -> activeFrom - rng.nextLong(minBefore.toMillis(), maxBefore.toMillis() + 1) - batchSpreadMillis);
        return Instant.ofEpochMilli(Math.min(activeFrom - 1, batchStart + rng.nextLong(batchSpreadMillis)));
      };
    };
  }

  /** Signed up shortly before first use: one to {@code maxBefore} earlier, such as the morning of a class. */
  static AccountAges justBefore(Duration maxBefore) {
    return () -> (index, activeFrom, rng) ->
        Instant.ofEpochMilli(activeFrom - rng.nextLong(Duration.ofMinutes(1).toMillis(), maxBefore.toMillis() + 1));
  }
}
