package dev.distillguard.simulate.prompt;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A fixed list of prompts replayed verbatim, as a CI or evaluation harness replays its suite: every
 * run sends the same texts in the same order, so the SimHashes repeat exactly from run to run.
 */
public final class FixedPromptSet {

  /** Share of suite items asking for a worked answer, as chain-of-thought evaluation prompts do. */
  private static final double EVAL_COT_SHARE = 0.4;

  private final List<Prompt> prompts;

  private FixedPromptSet(List<Prompt> prompts) {
    this.prompts = List.copyOf(prompts);
  }

  /** An evaluation suite of {@code size} numbered reasoning and code questions. */
  public static FixedPromptSet evalSuite(int size, SplittableRandom rng) {
    OrganicPrompts questions = OrganicPrompts.reasoningAndCode(EVAL_COT_SHARE);
    Prompt[] items = new Prompt[size];
    for (int i = 0; i < size; i++) {
      Prompt question = questions.next(rng);
      items[i] = Prompt.of("Question " + (i + 1) + ". " + question.text(), question.capability(),
          question.cotElicitation());
    }
    return new FixedPromptSet(List.of(items));
  }

  /** A source that sends the set in order and starts again after the last prompt. */
  public PromptSource replay() {
    return new PromptSource() {
      private int next;

      @Override
      public Prompt next(SplittableRandom rng) {
        Prompt prompt = prompts.get(next);
        next = (next + 1) % prompts.size();
        return prompt;
      }
    };
  }
}
