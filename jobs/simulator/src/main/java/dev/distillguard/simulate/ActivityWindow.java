package dev.distillguard.simulate;

import java.time.Duration;
import java.util.SplittableRandom;

/** When each account of a population is active, relative to the scenario. */
@FunctionalInterface
public interface ActivityWindow {

  /** Account {@code index}'s window, within the scenario's {@code [startMillis, endMillis)}. */
  Window window(int index, long startMillis, long endMillis, SplittableRandom rng);

  /** From {@code fromMillis} (inclusive) to {@code untilMillis} (exclusive); empty when they meet. */
  record Window(long fromMillis, long untilMillis) {
    public boolean isEmpty() {
      return fromMillis >= untilMillis;
    }
  }

  /** The whole scenario. */
  static ActivityWindow throughout() {
    return (index, start, end, rng) -> new Window(start, end);
  }

  /** From {@code startOffset} after the scenario start to its end. */
  static ActivityWindow from(Duration startOffset) {
    return (index, start, end, rng) -> new Window(Math.min(end, start + startOffset.toMillis()), end);
  }

  /** From {@code startOffset} to {@code endOffset} after the scenario start, cut at the scenario end. */
  static ActivityWindow between(Duration startOffset, Duration endOffset) {
    return (index, start, end, rng) -> new Window(Math.min(end, start + startOffset.toMillis()),
        Math.min(end, start + endOffset.toMillis()));
  }

  /**
   * Accounts that join after {@code startOffset}, each after its own exponential delay with mean
   * {@code meanDelay}, and stay to the end: a crowd arriving at a release.
   */
  static ActivityWindow joiningAfter(Duration startOffset, Duration meanDelay) {
    return (index, start, end, rng) -> new Window(
        Math.min(end, start + startOffset.toMillis() + (long) (rng.nextExponential() * meanDelay.toMillis())), end);
  }

  /**
   * Waves of {@code accountsPerWave} accounts (consecutive indices), one wave every {@code wavePeriod}
   * from {@code firstOffset}; each account works for {@code minLife..maxLife} and then stops, as when
   * it is banned, while the next wave takes over.
   */
  static ActivityWindow waves(Duration firstOffset, int accountsPerWave, Duration wavePeriod, Duration minLife,
      Duration maxLife) {
    return (index, start, end, rng) -> {
      long from = start + firstOffset.toMillis() + (index / accountsPerWave) * wavePeriod.toMillis();
      long life = rng.nextLong(minLife.toMillis(), maxLife.toMillis() + 1);
      return new Window(Math.min(end, from), Math.min(end, from + life));
    };
  }
}
