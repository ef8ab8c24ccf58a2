package dev.distillguard.simulate.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.Capability;
import dev.distillguard.contract.simhash.PromptSimHash;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The SimHash geometry the scenarios rely on, measured from the template's unfilled text. At the time
 * of writing (seed 1, 500 requests per template): filled templates drift a median 1-3 bits (p90 3-5),
 * paraphrased ones (3-6 edits) a median 5-7 bits (p90 7-10); two organic prompts are a median 32 bits
 * apart.
 */
class PromptDriftTest {

  private static final int REQUESTS = 500;

  @Test
  void filledTemplatesStayWithinAFewBitsAndParaphrasesDriftSeveralMore() {
    SplittableRandom rng = new SplittableRandom(1);
    List<Integer> allPlain = new ArrayList<>();
    List<Integer> allParaphrased = new ArrayList<>();
    for (ExtractionTemplate template : ExtractionTemplate.all()) {
      long reference = PromptSimHash.of(template.unfilledText());
      TemplatePrompts filled = TemplatePrompts.filled(List.of(template));
      TemplatePrompts paraphrased = TemplatePrompts.paraphrased(List.of(template), 3, 6);
      List<Integer> plain = new ArrayList<>();
      List<Integer> edited = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < REQUESTS; i++) {
        Prompt prompt = filled.next(rng);
        texts.add(prompt.text());
        plain.add(PromptSimHash.distance(reference, prompt.simHash()));
        edited.add(PromptSimHash.distance(reference, paraphrased.next(rng).simHash()));
      }
      System.out.printf("%-20s filled median %d p90 %d | paraphrased median %d p90 %d%n", template.name(),
          percentile(plain, 50), percentile(plain, 90), percentile(edited, 50), percentile(edited, 90));
      assertThat(texts.stream().distinct().count()).as("every request's text differs").isGreaterThan(REQUESTS * 9 / 10);
      assertThat(percentile(plain, 50)).as(template.name()).isLessThanOrEqualTo(4);
      assertThat(percentile(edited, 50)).as(template.name()).isBetween(4, 10);
      allPlain.addAll(plain);
      allParaphrased.addAll(edited);
    }
    assertThat(percentile(allPlain, 90)).isLessThanOrEqualTo(6);
    assertThat(percentile(allParaphrased, 50)).isBetween(5, 8).isGreaterThan(percentile(allPlain, 50) + 2);
  }

  @Test
  void organicPromptsAreUnrelatedAndVaryInLength() {
    SplittableRandom rng = new SplittableRandom(2);
    OrganicPrompts organic = OrganicPrompts.everyTopic(PromptPlans.ORGANIC_COT_SHARE);
    List<Integer> distances = new ArrayList<>();
    List<Integer> lengths = new ArrayList<>();
    int cot = 0;
    for (int i = 0; i < 2_000; i++) {
      Prompt a = organic.next(rng);
      Prompt b = organic.next(rng);
      distances.add(PromptSimHash.distance(a.simHash(), b.simHash()));
      lengths.add(a.words());
      cot += a.cotElicitation() ? 1 : 0;
    }
    assertThat(percentile(distances, 50)).isBetween(29, 35);
    assertThat(percentile(distances, 1)).isGreaterThan(16);
    assertThat(Collections.min(lengths)).isGreaterThanOrEqualTo(OrganicPrompts.MIN_WORDS);
    assertThat(Collections.max(lengths)).isBetween(100, OrganicPrompts.MAX_WORDS + 15);
    assertThat(percentile(lengths, 50)).isBetween(10, 25);
    assertThat(cot / 2_000.0).isBetween(0.05, 0.10);
  }

  @Test
  void extractionTemplatesAlmostAlwaysAskForReasoning() {
    assertThat(ExtractionTemplate.all()).hasSizeGreaterThanOrEqualTo(6);
    assertThat(ExtractionTemplate.all().stream().filter(ExtractionTemplate::cotElicitation).count())
        .isGreaterThanOrEqualTo(ExtractionTemplate.all().size() - 1);
    assertThat(ExtractionTemplate.all()).extracting(ExtractionTemplate::capability)
        .contains(Capability.REASONING, Capability.CODE, Capability.TOOL_USE, Capability.AGENTIC);
  }

  @Test
  void aFixedSetReplaysTheSamePromptsInOrder() {
    FixedPromptSet suite = FixedPromptSet.evalSuite(20, new SplittableRandom(3));
    PromptSource replay = suite.replay();
    SplittableRandom rng = new SplittableRandom(4);
    List<Long> firstRun = new ArrayList<>();
    List<Long> secondRun = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      firstRun.add(replay.next(rng).simHash());
    }
    for (int i = 0; i < 20; i++) {
      secondRun.add(replay.next(rng).simHash());
    }
    assertThat(secondRun).isEqualTo(firstRun).doesNotHaveDuplicates();
  }

  @Test
  void aSystemPromptIsPartOfTheHashedTextAndTheTokens() {
    SplittableRandom rng = new SplittableRandom(5);
    String system = SystemPromptedPrompts.systemPrompts().get(0);
    SystemPromptedPrompts product = new SystemPromptedPrompts(system, r -> Prompt.of("What is my bill?",
        Capability.CHAT, false));
    Prompt prompt = product.next(rng);
    assertThat(prompt.text()).startsWith(system).endsWith("What is my bill?");
    assertThat(prompt.simHash()).isEqualTo(PromptSimHash.of(system + "\n\nWhat is my bill?"));
    assertThat(prompt.words()).isEqualTo(Prompt.countWords(system) + 4);
    assertThat(TokenCounts.promptTokens(prompt.words(), rng)).isBetween(prompt.words(), prompt.words() * 2);
  }

  @Test
  void completionsAreLongForReasoningAndShortForChat() {
    SplittableRandom rng = new SplittableRandom(6);
    List<Integer> chat = new ArrayList<>();
    List<Integer> reasoning = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      chat.add(TokenCounts.completionTokens(Capability.CHAT, false, rng));
      reasoning.add(TokenCounts.completionTokens(Capability.REASONING, true, rng));
    }
    assertThat(percentile(reasoning, 50)).isGreaterThan(5 * percentile(chat, 50));
  }

  private static int percentile(List<Integer> values, int percent) {
    List<Integer> sorted = values.stream().sorted().toList();
    return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100));
  }
}
