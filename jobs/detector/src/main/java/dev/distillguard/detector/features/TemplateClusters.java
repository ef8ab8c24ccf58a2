package dev.distillguard.detector.features;

import java.util.Arrays;

/**
 * Groups a sample of prompt SimHashes into templates: requests within {@code radius} bits of a
 * template's centroid belong to it. The result depends only on the multiset of SimHashes, never on the
 * order they came in, so replays and live runs agree.
 *
 * <p>Three passes: seed clusters greedily over the sorted sample; take each cluster's bitwise majority
 * as its centroid (a paraphrased template's requests scatter around the unseen template, and the
 * majority recovers it) and merge clusters whose centroids are within the radius; reassign every
 * request to its nearest centroid within the radius.
 */
public final class TemplateClusters {

  /** Cluster sizes, largest first, with the largest cluster's centroid and shape. */
  public record Result(
      int sampled,
      int clusters,
      int clusteredRequests,
      int dominantSize,
      long dominantCentroid,
      int dominantDistinct,
      double dominantSpreadBits) {

    public double nearDuplicateShare() {
      return sampled == 0 ? 0 : (double) clusteredRequests / sampled;
    }

    public double dominantShare() {
      return sampled == 0 ? 0 : (double) dominantSize / sampled;
    }

    /** Distinct prompts per request in the dominant template: 1 when every fill differs, 0 for one resent prompt. */
    public double dominantVariety() {
      return dominantSize <= 1 ? 1.0 : (double) (dominantDistinct - 1) / (dominantSize - 1);
    }
  }

  private static final Result EMPTY = new Result(0, 0, 0, 0, 0L, 0, 0.0);

  private TemplateClusters() {}

  public static Result cluster(long[] simhashes, int length, int radius) {
    if (length == 0) {
      return EMPTY;
    }
    long[] sorted = Arrays.copyOf(simhashes, length);
    Arrays.sort(sorted);

    // Pass 1: greedy seeds in sorted order.
    long[] seeds = new long[length];
    int seedCount = 0;
    int[] assignment = new int[length];
    for (int i = 0; i < length; i++) {
      int found = nearest(seeds, seedCount, sorted[i], radius);
      if (found < 0) {
        seeds[seedCount] = sorted[i];
        found = seedCount++;
      }
      assignment[i] = found;
    }
    if (seedCount == length) {
      // Every request seeded its own cluster, so no two are within the radius: nothing merges or moves,
      // and the passes below would find only singletons. Most chance LSH buckets end here.
      return new Result(length, length, 0, 1, smallestUnsigned(sorted), 1, 0.0);
    }

    // Pass 2: majority centroids, then merge clusters whose centroids agree. Requests d bits from a
    // template can be 2d bits from each other, so a loose paraphrase seeds several clusters in pass 1;
    // their centroids all land near the template, and merging them recovers one.
    int[][] votes = new int[seedCount][64];
    int[] sizes = new int[seedCount];
    for (int i = 0; i < length; i++) {
      addVotes(votes[assignment[i]], sorted[i]);
      sizes[assignment[i]]++;
    }
    long[] centroids = new long[seedCount];
    for (int c = 0; c < seedCount; c++) {
      centroids[c] = majority(votes[c], sizes[c], seeds[c]);
    }
    int[] mergedInto = new int[seedCount];
    for (int c = 0; c < seedCount; c++) {
      mergedInto[c] = c;
    }
    for (int c = 0; c < seedCount; c++) {
      if (mergedInto[c] != c) {
        continue;
      }
      for (int other = c + 1; other < seedCount; other++) {
        if (mergedInto[other] == other && Long.bitCount(centroids[c] ^ centroids[other]) <= radius) {
          mergedInto[other] = c;
          for (int bit = 0; bit < 64; bit++) {
            votes[c][bit] += votes[other][bit];
          }
          sizes[c] += sizes[other];
          centroids[c] = majority(votes[c], sizes[c], seeds[c]);
        }
      }
    }
    int live = 0;
    long[] merged = new long[seedCount];
    for (int c = 0; c < seedCount; c++) {
      if (mergedInto[c] == c) {
        merged[live++] = centroids[c];
      }
    }
    centroids = Arrays.copyOf(merged, live);
    seedCount = live;

    // Pass 3: reassign to the nearest centroid; a request near none stands alone.
    int[] finalSizes = new int[seedCount];
    int singletons = 0;
    for (int i = 0; i < length; i++) {
      int c = nearest(centroids, seedCount, sorted[i], radius);
      assignment[i] = c;
      if (c >= 0) {
        finalSizes[c]++;
      } else {
        singletons++;
      }
    }

    int dominant = -1;
    int clusters = singletons;
    int clustered = 0;
    for (int c = 0; c < seedCount; c++) {
      if (finalSizes[c] == 0) {
        continue;
      }
      clusters++;
      if (finalSizes[c] >= 2) {
        clustered += finalSizes[c];
      }
      if (dominant < 0 || finalSizes[c] > finalSizes[dominant]
          || (finalSizes[c] == finalSizes[dominant] && Long.compareUnsigned(centroids[c], centroids[dominant]) < 0)) {
        dominant = c;
      }
    }
    if (dominant < 0) {
      return new Result(length, clusters, 0, 1, sorted[0], 1, 0.0);
    }

    long centroid = centroids[dominant];
    int distinct = 0;
    long previous = 0;
    boolean first = true;
    long distanceSum = 0;
    for (int i = 0; i < length; i++) {
      if (assignment[i] != dominant) {
        continue;
      }
      if (first || sorted[i] != previous) {
        distinct++;
      }
      previous = sorted[i];
      first = false;
      distanceSum += Long.bitCount(sorted[i] ^ centroid);
    }
    int size = finalSizes[dominant];
    return new Result(length, clusters, clustered, size, centroid, distinct, (double) distanceSum / size);
  }

  private static long smallestUnsigned(long[] values) {
    long smallest = values[0];
    for (long v : values) {
      if (Long.compareUnsigned(v, smallest) < 0) {
        smallest = v;
      }
    }
    return smallest;
  }

  private static void addVotes(int[] votes, long simhash) {
    for (int bit = 0; bit < 64; bit++) {
      if (((simhash >>> bit) & 1L) != 0) {
        votes[bit]++;
      }
    }
  }

  /** Bitwise majority; a tie keeps the seed's bit, so a two-member cluster stays on a real prompt. */
  private static long majority(int[] votes, int size, long seed) {
    long centroid = 0;
    for (int bit = 0; bit < 64; bit++) {
      int ones = votes[bit];
      int zeros = size - ones;
      if (ones > zeros || (ones == zeros && ((seed >>> bit) & 1L) != 0)) {
        centroid |= 1L << bit;
      }
    }
    return centroid;
  }

  private static int nearest(long[] centres, int count, long value, int radius) {
    int best = -1;
    int bestDistance = radius + 1;
    for (int c = 0; c < count; c++) {
      int d = Long.bitCount(centres[c] ^ value);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }
}
