package dev.distillguard.simulate.prompt;

import java.util.SplittableRandom;

/**
 * How a population chooses its prompts. A plan is a reusable description; {@link #prepare} makes the
 * state one run of a population shares (a campaign's templates, an eval harness's prompt set), and
 * the result gives each account its own {@link PromptSource}. {@link PromptPlans} has the standard plans.
 */
@FunctionalInterface
public interface PromptPlan {

  Assigner prepare(SplittableRandom rng);

  /** Gives each account of a prepared population its prompt source. */
  @FunctionalInterface
  interface Assigner {
    PromptSource forAccount(SplittableRandom rng);
  }
}
