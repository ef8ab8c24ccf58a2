package dev.distillguard.simulate;

import java.time.Instant;

/**
 * The models on offer: the current flagship, its small sibling, and the next flagship, which exists
 * from {@code nextReleasedAt} on.
 */
public record ModelLineup(String current, String mini, String next, Instant nextReleasedAt) {

  /** The simulator's lineup with the next model released at {@code nextReleasedAt}. */
  public static ModelLineup releasingNextAt(Instant nextReleasedAt) {
    return new ModelLineup("nova-2-large", "nova-2-mini", "nova-3-large", nextReleasedAt);
  }

  public boolean nextReleasedBy(long timeMillis) {
    return timeMillis >= nextReleasedAt.toEpochMilli();
  }
}
