package dev.distillguard.simulate.prompt;

import dev.distillguard.contract.Capability;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Well-known prompts that many people send with small edits of their own: the viral prompts of a
 * model release, or a class's assignment. They cluster in SimHash space like a campaign's templates
 * do, but come from ordinary accounts.
 */
public final class EditedPrompts implements PromptSource {

  private static final List<BasePrompt> VIRAL = load("viral-prompts.txt");
  private static final List<BasePrompt> ASSIGNMENTS = load("assignments.txt");

  /** A prompt as it circulates, before anyone edits it. */
  public record BasePrompt(String name, String text, Capability capability, boolean cotElicitation) {

    /** The words of the text; {@link #text} is single-space separated. */
    String[] tokens() {
      return text.split(" ");
    }
  }

  private final BasePrompt[] bases;
  private final int minEdits;
  private final int maxEdits;

  private EditedPrompts(List<BasePrompt> bases, int minEdits, int maxEdits) {
    this.bases = bases.toArray(BasePrompt[]::new);
    this.minEdits = minEdits;
    this.maxEdits = maxEdits;
  }

  /** The viral prompts of a release day, each request one of them with {@code minEdits..maxEdits} edits. */
  public static EditedPrompts viral(int minEdits, int maxEdits) {
    return new EditedPrompts(VIRAL, minEdits, maxEdits);
  }

  public static List<BasePrompt> assignments() {
    return ASSIGNMENTS;
  }

  /**
   * One person's copy of {@code base}: edited once with {@code personalEdits} edits that stay in every
   * request, then re-edited lightly ({@code 0..maxEditsPerRequest}) each time it is sent again.
   */
  public static EditedPrompts personalCopy(BasePrompt base, int personalEdits, int maxEditsPerRequest,
      SplittableRandom rng) {
    BasePrompt copy = new BasePrompt(base.name(),
        String.join(" ", Paraphraser.edit(base.tokens(), personalEdits, null, rng)),
        base.capability(), base.cotElicitation());
    return new EditedPrompts(List.of(copy), 0, maxEditsPerRequest);
  }

  @Override
  public Prompt next(SplittableRandom rng) {
    BasePrompt base = bases[rng.nextInt(bases.length)];
    int edits = rng.nextInt(minEdits, maxEdits + 1);
    String text = edits == 0 ? base.text() : String.join(" ", Paraphraser.edit(base.tokens(), edits, null, rng));
    return Prompt.of(text, base.capability(), base.cotElicitation());
  }

  private static List<BasePrompt> load(String resource) {
    return TextResources.sections(resource).stream()
        .map(s -> new BasePrompt(s.name(), String.join(" ", s.text().split("\\s+")), Capability.valueOf(s.attribute("capability")),
            Boolean.parseBoolean(s.attribute("cot"))))
        .toList();
  }
}
