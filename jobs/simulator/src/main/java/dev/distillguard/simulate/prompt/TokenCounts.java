package dev.distillguard.simulate.prompt;

import dev.distillguard.contract.Capability;
import java.util.SplittableRandom;

/**
 * Token counts of a call. Prompt tokens follow the text (about 1.3 tokens per English word);
 * completion lengths depend on what was asked: reasoning and agentic traces are long, chat is short,
 * and a request to write out the reasoning makes any answer longer.
 */
public final class TokenCounts {

  private static final double TOKENS_PER_WORD = 1.3;
  private static final double PROMPT_TOKEN_SPREAD = 0.05;
  private static final double COMPLETION_SIGMA = 0.6;
  private static final double COT_LENGTH_FACTOR = 1.6;
  private static final int MAX_COMPLETION_TOKENS = 32_000;

  private TokenCounts() {}

  public static int promptTokens(int words, SplittableRandom rng) {
    double tokens = words * TOKENS_PER_WORD * (1 + PROMPT_TOKEN_SPREAD * rng.nextGaussian());
    return Math.max(1, (int) Math.round(tokens));
  }

  public static int completionTokens(Capability capability, boolean cotElicitation, SplittableRandom rng) {
    double median = switch (capability) {
      case CHAT -> 220;
      case REASONING -> 1500;
      case CODE -> 700;
      case TOOL_USE -> 350;
      case AGENTIC -> 1100;
      case VISION -> 250;
      case OTHER -> 200;
    };
    if (cotElicitation) {
      median *= COT_LENGTH_FACTOR;
    }
    double tokens = median * Math.exp(COMPLETION_SIGMA * rng.nextGaussian());
    return (int) Math.max(1, Math.min(MAX_COMPLETION_TOKENS, Math.round(tokens)));
  }
}
