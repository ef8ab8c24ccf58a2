package dev.distillguard.simulate;

import dev.distillguard.contract.Capability;
import java.time.Duration;
import java.util.SplittableRandom;

/** Which model a population's requests name. */
@FunctionalInterface
public interface ModelChoice {

  String model(long timeMillis, Capability capability, ModelLineup lineup, SplittableRandom rng);

  /**
   * Ordinary users: the flagship, or the small model for a good part of chat; after the next model's
   * release a growing share (15% at once, +10 points an hour, at most 60%) tries it.
   */
  static ModelChoice organic() {
    double hourMillis = Duration.ofHours(1).toMillis();
    return (time, capability, lineup, rng) -> {
      if (lineup.nextReleasedBy(time)) {
        double hoursOut = (time - lineup.nextReleasedAt().toEpochMilli()) / hourMillis;
        if (rng.nextDouble() < Math.min(0.6, 0.15 + 0.1 * hoursOut)) {
          return lineup.next();
        }
      }
      double miniShare = capability == Capability.CHAT ? 0.4 : 0.15;
      return rng.nextDouble() < miniShare ? lineup.mini() : lineup.current();
    };
  }

  /** Always the current flagship: what a campaign harvesting the strongest model asks for. */
  static ModelChoice currentFlagship() {
    return (time, capability, lineup, rng) -> lineup.current();
  }

  /** The newest flagship available at the time: release-day enthusiasts. */
  static ModelChoice newestFlagship() {
    return (time, capability, lineup, rng) -> lineup.nextReleasedBy(time) ? lineup.next() : lineup.current();
  }

  /** The current flagship until {@code delay} after the next one's release, then only the new one. */
  static ModelChoice pivotAfterRelease(Duration delay) {
    return (time, capability, lineup, rng) ->
        time >= lineup.nextReleasedAt().toEpochMilli() + delay.toMillis() ? lineup.next() : lineup.current();
  }
}
