package dev.distillguard.simulate.prompt;

import java.util.List;

/** The standard ways a population chooses its prompts. */
public final class PromptPlans {

  /** Share of organic prompts that ask for step-by-step reasoning. */
  public static final double ORGANIC_COT_SHARE = 0.07;

  private PromptPlans() {}

  /** Diverse everyday prompts on every topic. */
  public static PromptPlan organic() {
    OrganicPrompts prompts = OrganicPrompts.everyTopic(ORGANIC_COT_SHARE);
    return rng -> accountRng -> prompts;
  }

  /** Each account is a product with one of the bundled system prompts in front of diverse user prompts. */
  public static PromptPlan behindSystemPrompt() {
    OrganicPrompts users = OrganicPrompts.everyTopic(ORGANIC_COT_SHARE);
    List<String> systemPrompts = SystemPromptedPrompts.systemPrompts();
    return rng -> accountRng ->
        new SystemPromptedPrompts(systemPrompts.get(accountRng.nextInt(systemPrompts.size())), users);
  }

  /** Each account replays its own fixed evaluation suite of {@code size} prompts, in order, run after run. */
  public static PromptPlan evalSuiteReplay(int size) {
    return rng -> accountRng -> FixedPromptSet.evalSuite(size, accountRng).replay();
  }

  /** A campaign script filling the named extraction templates. */
  public static PromptPlan templates(List<String> templateNames) {
    TemplatePrompts prompts = TemplatePrompts.filled(templateNames.stream().map(ExtractionTemplate::named).toList());
    return rng -> accountRng -> prompts;
  }

  /** A campaign script filling the named templates and paraphrasing {@code minEdits..maxEdits} words per request. */
  public static PromptPlan paraphrasedTemplates(List<String> templateNames, int minEdits, int maxEdits) {
    TemplatePrompts prompts = TemplatePrompts.paraphrased(
        templateNames.stream().map(ExtractionTemplate::named).toList(), minEdits, maxEdits);
    return rng -> accountRng -> prompts;
  }

  /**
   * A class working on one assignment (chosen per run): each student pastes a copy edited a little
   * in their own way, and in between asks diverse follow-up questions.
   */
  public static PromptPlan classAssignment(double assignmentShare) {
    OrganicPrompts followUps = OrganicPrompts.everyTopic(ORGANIC_COT_SHARE);
    return rng -> {
      List<EditedPrompts.BasePrompt> assignments = EditedPrompts.assignments();
      EditedPrompts.BasePrompt assignment = assignments.get(rng.nextInt(assignments.size()));
      return accountRng -> PromptSource.mix(assignmentShare,
          EditedPrompts.personalCopy(assignment, accountRng.nextInt(1, 4), 1, accountRng), followUps);
    };
  }

  /** Release-day curiosity: the viral prompts with one or two edits, mixed with diverse prompts. */
  public static PromptPlan viralPrompts(double viralShare) {
    PromptSource prompts = PromptSource.mix(viralShare, EditedPrompts.viral(1, 2),
        OrganicPrompts.everyTopic(ORGANIC_COT_SHARE));
    return rng -> accountRng -> prompts;
  }
}
