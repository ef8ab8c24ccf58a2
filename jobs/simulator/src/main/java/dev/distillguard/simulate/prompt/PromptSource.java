package dev.distillguard.simulate.prompt;

import java.util.SplittableRandom;

/** The prompts one account sends, one per request. */
@FunctionalInterface
public interface PromptSource {

  Prompt next(SplittableRandom rng);

  /** Sends a prompt of {@code first} with probability {@code firstShare}, otherwise one of {@code second}. */
  static PromptSource mix(double firstShare, PromptSource first, PromptSource second) {
    return rng -> rng.nextDouble() < firstShare ? first.next(rng) : second.next(rng);
  }
}
