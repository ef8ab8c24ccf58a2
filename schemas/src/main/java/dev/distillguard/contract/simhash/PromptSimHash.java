package dev.distillguard.contract.simhash;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/**
 * The reference 64-bit SimHash of a prompt, as the gateway computes {@code ApiCall.prompt_simhash}.
 *
 * <p>The algorithm is fixed by the contract, so another implementation (in the gateway's own language)
 * must give the same bits:
 *
 * <ol>
 *   <li>Normalise: Unicode NFKC, lower case (root locale), every maximal run of code points that are
 *       neither letters nor digits becomes one space, trim.
 *   <li>Split into words on the spaces; hash each word with 64-bit FNV-1a over its UTF-8 bytes.
 *   <li>Shingles of {@value #SHINGLE_WORDS} consecutive words (one shingle of all words when there are
 *       fewer): {@code h = 0; for each word w: h = h * 0x9E3779B97F4A7C15 + fnv(w)}, then the
 *       MurmurHash3 64-bit finaliser of {@code h}.
 *   <li>Each shingle votes +1 on the bits set in its hash and -1 on the others; bit i of the result is
 *       set when the vote of bit i is positive. An empty prompt hashes to 0.
 * </ol>
 *
 * <p>Near-duplicate prompts (a template with a few words changed) land within a few bits of each other;
 * unrelated prompts are about 32 bits apart.
 */
public final class PromptSimHash {

  public static final int SHINGLE_WORDS = 3;

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final long SHINGLE_MULTIPLIER = 0x9E3779B97F4A7C15L;

  private PromptSimHash() {}

  /** SimHash of the prompt text, after normalisation. */
  public static long of(String prompt) {
    String[] words = words(prompt);
    if (words.length == 0) {
      return 0L;
    }
    long[] wordHashes = new long[words.length];
    for (int i = 0; i < words.length; i++) {
      wordHashes[i] = fnv1a64(words[i]);
    }
    int[] votes = new int[64];
    int shingles = Math.max(1, words.length - SHINGLE_WORDS + 1);
    int width = Math.min(SHINGLE_WORDS, words.length);
    for (int start = 0; start < shingles; start++) {
      long h = 0L;
      for (int j = 0; j < width; j++) {
        h = h * SHINGLE_MULTIPLIER + wordHashes[start + j];
      }
      long shingle = fmix64(h);
      for (int bit = 0; bit < 64; bit++) {
        votes[bit] += ((shingle >>> bit) & 1L) != 0 ? 1 : -1;
      }
    }
    long result = 0L;
    for (int bit = 0; bit < 64; bit++) {
      if (votes[bit] > 0) {
        result |= 1L << bit;
      }
    }
    return result;
  }

  /** Number of bits in which two SimHashes differ. */
  public static int distance(long a, long b) {
    return Long.bitCount(a ^ b);
  }

  /** The normalised words of a prompt, as step 1 and 2 of the algorithm define them. */
  static String[] words(String prompt) {
    String normalised = normalise(prompt);
    return normalised.isEmpty() ? new String[0] : normalised.split(" ");
  }

  static String normalise(String prompt) {
    if (prompt == null || prompt.isEmpty()) {
      return "";
    }
    String text = Normalizer.normalize(prompt, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(text.length());
    boolean pendingSpace = false;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isLetterOrDigit(cp)) {
        if (pendingSpace && out.length() > 0) {
          out.append(' ');
        }
        pendingSpace = false;
        out.appendCodePoint(cp);
      } else {
        pendingSpace = true;
      }
    }
    return out.toString();
  }

  static long fnv1a64(String word) {
    long h = FNV_OFFSET;
    for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= FNV_PRIME;
    }
    return h;
  }

  /** MurmurHash3's 64-bit finaliser: spreads every input bit over the whole word. */
  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
