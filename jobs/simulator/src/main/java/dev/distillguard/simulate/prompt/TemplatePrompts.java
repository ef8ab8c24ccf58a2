package dev.distillguard.simulate.prompt;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A campaign script's prompts: one of its templates with a fresh item in the slot, and in paraphrase
 * mode a few words substituted or inserted on every request so the SimHash drifts further from the
 * template.
 */
public final class TemplatePrompts implements PromptSource {

  private final ExtractionTemplate[] templates;
  private final int minEdits;
  private final int maxEdits;

  private TemplatePrompts(List<ExtractionTemplate> templates, int minEdits, int maxEdits) {
    if (templates.isEmpty()) {
      throw new IllegalArgumentException("a campaign needs at least one template");
    }
    if (minEdits < 0 || maxEdits < minEdits) {
      throw new IllegalArgumentException("bad edit range " + minEdits + ".." + maxEdits);
    }
    this.templates = templates.toArray(ExtractionTemplate[]::new);
    this.minEdits = minEdits;
    this.maxEdits = maxEdits;
  }

  /** The templates verbatim around a fresh slot item: within a few bits of the template. */
  public static TemplatePrompts filled(List<ExtractionTemplate> templates) {
    return new TemplatePrompts(templates, 0, 0);
  }

  /** Filled templates with {@code minEdits..maxEdits} paraphrasing edits per request. */
  public static TemplatePrompts paraphrased(List<ExtractionTemplate> templates, int minEdits, int maxEdits) {
    return new TemplatePrompts(templates, minEdits, maxEdits);
  }

  @Override
  public Prompt next(SplittableRandom rng) {
    ExtractionTemplate template = templates[rng.nextInt(templates.length)];
    String[] words = template.tokens();
    if (maxEdits > 0) {
      words = Paraphraser.edit(words, rng.nextInt(minEdits, maxEdits + 1), template.slotMarker(), rng);
    }
    String text = template.render(words, SlotFills.fill(template.slot(), rng));
    return Prompt.of(text, template.capability(), template.cotElicitation());
  }
}
