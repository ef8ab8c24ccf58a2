package dev.distillguard.detector.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateClustersTest {

  private static final int RADIUS = 12;
  private static final long TEMPLATE = 0x5A3C_F00D_1234_9876L;
  private static final long OTHER_TEMPLATE = ~TEMPLATE; // 64 bits away

  @Test
  void emptySampleIsEmpty() {
    TemplateClusters.Result r = TemplateClusters.cluster(new long[0], 0, RADIUS);
    assertThat(r.sampled()).isZero();
    assertThat(r.clusters()).isZero();
    assertThat(r.nearDuplicateShare()).isZero();
    assertThat(r.dominantShare()).isZero();
  }

  @Test
  void identicalPromptsFormOneClusterWithNoVariety() {
    long[] sample = new long[40];
    java.util.Arrays.fill(sample, TEMPLATE);

    TemplateClusters.Result r = TemplateClusters.cluster(sample, sample.length, RADIUS);

    assertThat(r.sampled()).isEqualTo(40);
    assertThat(r.clusters()).isEqualTo(1);
    assertThat(r.dominantSize()).isEqualTo(40);
    assertThat(r.dominantCentroid()).isEqualTo(TEMPLATE);
    assertThat(r.dominantDistinct()).isEqualTo(1);
    assertThat(r.dominantVariety()).isZero();
    assertThat(r.dominantSpreadBits()).isZero();
    assertThat(r.nearDuplicateShare()).isEqualTo(1.0);
    assertThat(r.dominantShare()).isEqualTo(1.0);
  }

  @Test
  void slotFilledTemplateFormsOneClusterWithFullVarietyAndSmallSpread() {
    Random rnd = new Random(1);
    long[] sample = distinctVariants(TEMPLATE, 64, 1, 3, rnd);

    TemplateClusters.Result r = TemplateClusters.cluster(sample, sample.length, RADIUS);

    assertThat(r.clusters()).isEqualTo(1);
    assertThat(r.dominantSize()).isEqualTo(64);
    assertThat(r.dominantCentroid()).isEqualTo(TEMPLATE);
    assertThat(r.dominantDistinct()).isEqualTo(64);
    assertThat(r.dominantVariety()).isEqualTo(1.0);
    assertThat(r.dominantSpreadBits()).isBetween(1.0, 3.0);
    assertThat(r.nearDuplicateShare()).isEqualTo(1.0);
  }

  /** The template itself is never sent; the bitwise majority of its paraphrases recovers it. */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void paraphrasedTemplateIsRecoveredByTheMajorityCentroid(long seed) {
    Random rnd = new Random(seed);
    long template = rnd.nextLong();
    long[] sample = new long[64];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = flip(template, 4 + rnd.nextInt(3), rnd);
    }

    TemplateClusters.Result r = TemplateClusters.cluster(sample, sample.length, RADIUS);

    assertThat(Long.bitCount(r.dominantCentroid() ^ template)).isLessThanOrEqualTo(2);
    assertThat(r.dominantSize()).isEqualTo(64);
    assertThat(r.clusters()).isEqualTo(1);
    assertThat(r.dominantSpreadBits()).isBetween(3.0, 7.0);
  }

  /**
   * Every request here is 7 bits from the template, well inside the 12-bit radius, and the majority
   * recovers the template exactly; yet pass 1 seeds clusters by distance to the first seed (pairs of
   * paraphrases are up to 14 bits apart), the small extra seeds keep centroids of their own, and pass 3
   * hands requests to those nearer spurious centroids: the template splits into several clusters and
   * its dominant share is understated (about 0.82 on average at 7 bits, 0.44 at 8).
   */
  @Test
  void paraphrasesWellInsideTheRadiusStillFormOneTemplate() {
    Random rnd = new Random(1);
    long template = rnd.nextLong();
    long[] sample = new long[64];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = flip(template, 7, rnd);
    }

    TemplateClusters.Result r = TemplateClusters.cluster(sample, sample.length, RADIUS);

    assertThat(r.dominantCentroid()).isEqualTo(template);
    assertThat(r.dominantSize()).as("requests in the dominant template").isEqualTo(64);
    assertThat(r.clusters()).isEqualTo(1);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13, 14, 15})
  void unrelatedPromptsFormNoClusterOfTwo(long seed) {
    Random rnd = new Random(seed);
    long[] sample = new long[64];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = rnd.nextLong();
    }

    TemplateClusters.Result r = TemplateClusters.cluster(sample, sample.length, RADIUS);

    assertThat(r.clusteredRequests()).isZero();
    assertThat(r.nearDuplicateShare()).isZero();
    assertThat(r.clusters()).isEqualTo(64);
    assertThat(r.dominantSize()).isEqualTo(1);
    assertThat(r.dominantVariety()).isEqualTo(1.0);
    // Among equal sizes the smallest centroid (unsigned) is dominant, singletons included.
    long smallest = sample[0];
    for (long s : sample) {
      smallest = Long.compareUnsigned(s, smallest) < 0 ? s : smallest;
    }
    assertThat(r.dominantCentroid()).isEqualTo(smallest);
  }

  @Test
  void mixtureOfTemplateAndNoiseGivesTheTemplatesShare() {
    Random rnd = new Random(21);
    long[] sample = new long[100];
    long[] template = distinctVariants(TEMPLATE, 70, 1, 3, rnd);
    System.arraycopy(template, 0, sample, 0, 70);
    for (int i = 70; i < 100; i++) {
      sample[i] = rnd.nextLong();
    }

    TemplateClusters.Result r = TemplateClusters.cluster(sample, sample.length, RADIUS);

    assertThat(r.dominantShare()).isCloseTo(0.7, within(0.02));
    assertThat(r.nearDuplicateShare()).isCloseTo(0.7, within(0.02));
    assertThat(r.dominantCentroid()).isEqualTo(TEMPLATE);
    assertThat(r.clusters()).isEqualTo(31); // the template and 30 singletons
  }

  @Test
  void twoTemplatesGiveTheLargerAsDominantAndBothAsNearDuplicates() {
    Random rnd = new Random(31);
    long[] a = distinctVariants(TEMPLATE, 40, 1, 3, rnd);
    long[] b = distinctVariants(OTHER_TEMPLATE, 20, 1, 3, rnd);
    long[] sample = new long[60];
    System.arraycopy(a, 0, sample, 0, 40);
    System.arraycopy(b, 0, sample, 40, 20);

    TemplateClusters.Result r = TemplateClusters.cluster(sample, sample.length, RADIUS);

    assertThat(r.clusters()).isEqualTo(2);
    assertThat(r.dominantSize()).isEqualTo(40);
    assertThat(r.dominantCentroid()).isEqualTo(TEMPLATE);
    assertThat(r.nearDuplicateShare()).isEqualTo(1.0);
    assertThat(r.dominantShare()).isCloseTo(40.0 / 60, within(1e-12));
  }

  @Test
  void radiusZeroClustersOnlyExactDuplicates() {
    long[] sample = {TEMPLATE, TEMPLATE, TEMPLATE ^ 1, TEMPLATE ^ 2};

    TemplateClusters.Result r = TemplateClusters.cluster(sample, sample.length, 0);

    assertThat(r.dominantSize()).isEqualTo(2);
    assertThat(r.dominantCentroid()).isEqualTo(TEMPLATE);
    assertThat(r.clusters()).isEqualTo(3);
    assertThat(r.nearDuplicateShare()).isEqualTo(0.5);
  }

  @Test
  void onlyTheFirstLengthEntriesAreClustered() {
    long[] sample = {TEMPLATE, TEMPLATE, OTHER_TEMPLATE, OTHER_TEMPLATE, OTHER_TEMPLATE};

    TemplateClusters.Result r = TemplateClusters.cluster(sample, 2, RADIUS);

    assertThat(r.sampled()).isEqualTo(2);
    assertThat(r.dominantCentroid()).isEqualTo(TEMPLATE);
    assertThat(r.dominantSize()).isEqualTo(2);
  }

  @Test
  void equalSizedTemplatesResolveToTheSameDominantWhateverTheOrder() {
    long[] sample = {OTHER_TEMPLATE, OTHER_TEMPLATE ^ 4, TEMPLATE, TEMPLATE ^ 8};
    TemplateClusters.Result expected = TemplateClusters.cluster(sample, sample.length, RADIUS);
    assertThat(expected.dominantSize()).isEqualTo(2);
    // Ties go to the smaller unsigned centroid.
    long smaller = Long.compareUnsigned(TEMPLATE, OTHER_TEMPLATE) < 0 ? TEMPLATE : OTHER_TEMPLATE;
    assertThat(expected.dominantCentroid()).isEqualTo(smaller);

    long[] reversed = {TEMPLATE ^ 8, TEMPLATE, OTHER_TEMPLATE ^ 4, OTHER_TEMPLATE};
    assertThat(TemplateClusters.cluster(reversed, reversed.length, RADIUS)).isEqualTo(expected);
  }

  /** Live runs and backfills see the same sample in different orders: the result must not care. */
  @Test
  void resultDoesNotDependOnInputOrder() {
    Random rnd = new Random(41);
    List<Long> values = new ArrayList<>();
    for (long v : distinctVariants(TEMPLATE, 30, 1, 3, rnd)) {
      values.add(v);
    }
    long paraphrased = rnd.nextLong();
    for (int i = 0; i < 20; i++) {
      values.add(flip(paraphrased, 4 + rnd.nextInt(5), rnd));
    }
    for (int i = 0; i < 5; i++) {
      values.add(TEMPLATE); // exact repeats too
    }
    for (int i = 0; i < 15; i++) {
      values.add(rnd.nextLong());
    }
    TemplateClusters.Result expected = TemplateClusters.cluster(toArray(values), values.size(), RADIUS);
    assertThat(expected.clusters()).isGreaterThan(2);

    for (int round = 0; round < 200; round++) {
      Collections.shuffle(values, rnd);
      assertThat(TemplateClusters.cluster(toArray(values), values.size(), RADIUS))
          .as("shuffle %d", round)
          .isEqualTo(expected);
    }
  }

  @Test
  void varietyCountsDistinctPromptsPerRequest() {
    // 5 requests of 3 distinct prompts: (3 - 1) / (5 - 1).
    long[] sample = {TEMPLATE, TEMPLATE, TEMPLATE ^ 1, TEMPLATE ^ 1, TEMPLATE ^ 2};
    TemplateClusters.Result r = TemplateClusters.cluster(sample, sample.length, RADIUS);
    assertThat(r.dominantDistinct()).isEqualTo(3);
    assertThat(r.dominantVariety()).isCloseTo(0.5, within(1e-12));
  }

  // --- helpers -------------------------------------------------------------------------------------

  /** {@code base} with exactly {@code bits} distinct bits flipped. */
  static long flip(long base, int bits, Random rnd) {
    List<Integer> positions = new ArrayList<>(64);
    for (int i = 0; i < 64; i++) {
      positions.add(i);
    }
    Collections.shuffle(positions, rnd);
    long v = base;
    for (int i = 0; i < bits; i++) {
      v ^= 1L << positions.get(i);
    }
    return v;
  }

  /** {@code count} distinct variants of {@code base}, each {@code min..max} bits away from it. */
  static long[] distinctVariants(long base, int count, int min, int max, Random rnd) {
    Set<Long> out = new LinkedHashSet<>();
    while (out.size() < count) {
      out.add(flip(base, min + rnd.nextInt(max - min + 1), rnd));
    }
    return toArray(new ArrayList<>(out));
  }

  static long[] toArray(List<Long> values) {
    long[] out = new long[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
