package dev.distillguard.simulate.prompt;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A product built on the API: one fixed long system prompt in front of every user prompt. The SimHash
 * covers the full text as sent, so the customer's calls sit closer together than unrelated prompts,
 * and more so the shorter the user's part is.
 */
public final class SystemPromptedPrompts implements PromptSource {

  private static final List<String> SYSTEM_PROMPTS =
      TextResources.sections("system-prompts.txt").stream().map(TextResources.Section::text).toList();

  private final String systemPrompt;
  private final PromptSource userPrompts;

  public SystemPromptedPrompts(String systemPrompt, PromptSource userPrompts) {
    this.systemPrompt = systemPrompt;
    this.userPrompts = userPrompts;
  }

  /** The bundled system prompts, one per sample product. */
  public static List<String> systemPrompts() {
    return SYSTEM_PROMPTS;
  }

  @Override
  public Prompt next(SplittableRandom rng) {
    Prompt user = userPrompts.next(rng);
    return Prompt.of(systemPrompt + "\n\n" + user.text(), user.capability(), user.cotElicitation());
  }
}
