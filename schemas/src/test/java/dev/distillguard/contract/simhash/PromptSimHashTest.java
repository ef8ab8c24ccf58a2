package dev.distillguard.contract.simhash;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PromptSimHashTest {

  private static final String TEMPLATE =
      "You are an expert mathematician. Solve the following problem and think step by step, "
          + "writing out every intermediate result before you give the final answer. Problem: a train "
          + "leaves the station at 9 am travelling at 80 km per hour while a second train leaves two "
          + "hours later at 120 km per hour on the same track. At what time does the second train "
          + "catch up with the first one, and how far from the station are they when it happens?";

  @Test
  void normalisationIgnoresCasePunctuationWhitespaceAndCompatibilityForms() {
    long base = PromptSimHash.of("Explain, step by step: why is the sky blue?");
    assertThat(PromptSimHash.of("explain step by step   why is the sky blue")).isEqualTo(base);
    assertThat(PromptSimHash.of("  EXPLAIN -- step by step!!! why is the SKY blue ")).isEqualTo(base);
    // NFKC folds full-width letters to ASCII.
    assertThat(PromptSimHash.of("Ｅｘｐｌａｉｎ step by step: why is the sky blue?")).isEqualTo(base);
  }

  @Test
  void emptyAndPunctuationOnlyPromptsHashToZero() {
    assertThat(PromptSimHash.of("")).isZero();
    assertThat(PromptSimHash.of(null)).isZero();
    assertThat(PromptSimHash.of(" ?! ... ")).isZero();
  }

  @Test
  void shortPromptsAreOneShingle() {
    assertThat(PromptSimHash.of("hello")).isNotZero();
    assertThat(PromptSimHash.of("hello there")).isNotEqualTo(PromptSimHash.of("there hello"));
  }

  /**
   * Pinned values, cross-checked against an independent Python transcription of the algorithm in the
   * class comment: an implementation in another language must reproduce these bits exactly.
   */
  @Test
  void referenceVectors() {
    assertThat(Long.toHexString(PromptSimHash.fnv1a64("a"))).isEqualTo("af63dc4c8601ec8c");
    assertThat(Long.toHexString(PromptSimHash.of("hello"))).isEqualTo(REFERENCE_HELLO);
    assertThat(Long.toHexString(PromptSimHash.of(TEMPLATE))).isEqualTo(REFERENCE_TEMPLATE);
  }

  private static final String REFERENCE_HELLO = "e9c562c0fdb23244";
  private static final String REFERENCE_TEMPLATE = "54b1dbc1ddfda5eb";

  @Test
  void oneWordEditStaysWithinAFewBits() {
    Random random = new Random(7);
    List<Integer> distances = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String[] words = randomPrompt(random, 40 + random.nextInt(60));
      long original = PromptSimHash.of(String.join(" ", words));
      words[random.nextInt(words.length)] = VOCABULARY[random.nextInt(VOCABULARY.length)] + "x";
      distances.add(PromptSimHash.distance(original, PromptSimHash.of(String.join(" ", words))));
    }
    double mean = distances.stream().mapToInt(Integer::intValue).average().orElseThrow();
    assertThat(mean).isLessThan(8.0);
    assertThat(distances.stream().mapToInt(Integer::intValue).max().orElseThrow()).isLessThanOrEqualTo(20);
  }

  @Test
  void templateWithSlotsFilledStaysNearTheTemplate() {
    long template = PromptSimHash.of(TEMPLATE);
    long filled = PromptSimHash.of(TEMPLATE.replace("80 km", "95 km").replace("120 km", "150 km"));
    assertThat(PromptSimHash.distance(template, filled)).isLessThanOrEqualTo(12);
  }

  @Test
  void unrelatedPromptsAreAboutHalfTheBitsApart() {
    Random random = new Random(11);
    double sum = 0;
    int min = 64;
    int pairs = 1000;
    for (int i = 0; i < pairs; i++) {
      long a = PromptSimHash.of(String.join(" ", randomPrompt(random, 10 + random.nextInt(80))));
      long b = PromptSimHash.of(String.join(" ", randomPrompt(random, 10 + random.nextInt(80))));
      int d = PromptSimHash.distance(a, b);
      sum += d;
      min = Math.min(min, d);
    }
    assertThat(sum / pairs).isBetween(30.0, 34.0);
    assertThat(min).isGreaterThanOrEqualTo(14);
  }

  @Test
  void distanceCountsDifferingBits() {
    assertThat(PromptSimHash.distance(0L, -1L)).isEqualTo(64);
    assertThat(PromptSimHash.distance(0b1011L, 0b0010L)).isEqualTo(2);
  }

  private static String[] randomPrompt(Random random, int length) {
    String[] words = new String[length];
    for (int i = 0; i < length; i++) {
      words[i] = VOCABULARY[random.nextInt(VOCABULARY.length)];
    }
    return words;
  }

  private static final String[] VOCABULARY = (
      "the a of to and in is that for it as with was on be by this are or at from an which have "
          + "not but they his one all were we when your can there use each she how their if will up "
          + "other about out many then them these so some her would make like him into time has look "
          + "two more write go see number no way could people my than first water been call who oil "
          + "its now find long down day did get come made may part model reason code function prove "
          + "explain compute derive solve theorem graph tree matrix vector network protein market "
          + "history poem story summary translate list table query database server client error "
          + "test design system memory cache thread kernel compiler parser token budget plan travel "
          + "recipe garden music film novel planet ocean river mountain city village school doctor")
      .split(" ");
}
