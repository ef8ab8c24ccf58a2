package dev.distillguard.simulate.prompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Small word-level edits of a prompt, as a paraphrasing campaign script or a user retyping a prompt
 * makes them: a word swapped for a synonym from {@code synonyms.txt}, or a filler word from
 * {@code fillers.txt} inserted. Each edit changes about three of the SimHash's three-word shingles.
 */
final class Paraphraser {

  private static final double SUBSTITUTION_SHARE = 0.6;
  private static final int SUBSTITUTION_ATTEMPTS = 8;
  private static final Map<String, String[]> SYNONYMS = loadSynonyms();
  private static final String[] FILLERS = TextResources.lines("fillers.txt").toArray(String[]::new);

  private Paraphraser() {}

  /**
   * A copy of {@code tokens} with {@code edits} edits at random places; the token equal to
   * {@code keep} (a slot marker, or null) is never edited.
   */
  static String[] edit(String[] tokens, int edits, String keep, SplittableRandom rng) {
    List<String> words = new ArrayList<>(Arrays.asList(tokens));
    for (int e = 0; e < edits; e++) {
      if (rng.nextDouble() >= SUBSTITUTION_SHARE || !substitute(words, keep, rng)) {
        words.add(rng.nextInt(words.size() + 1), FILLERS[rng.nextInt(FILLERS.length)]);
      }
    }
    return words.toArray(String[]::new);
  }

  private static boolean substitute(List<String> words, String keep, SplittableRandom rng) {
    for (int attempt = 0; attempt < SUBSTITUTION_ATTEMPTS; attempt++) {
      int index = rng.nextInt(words.size());
      String token = words.get(index);
      if (token.equals(keep)) {
        continue;
      }
      int start = 0;
      int end = token.length();
      while (start < end && !Character.isLetter(token.charAt(start))) {
        start++;
      }
      while (end > start && !Character.isLetter(token.charAt(end - 1))) {
        end--;
      }
      String[] synonyms = SYNONYMS.get(token.substring(start, end).toLowerCase(Locale.ROOT));
      if (synonyms != null) {
        String synonym = synonyms[rng.nextInt(synonyms.length)];
        if (Character.isUpperCase(token.charAt(start))) {
          synonym = Character.toUpperCase(synonym.charAt(0)) + synonym.substring(1);
        }
        words.set(index, token.substring(0, start) + synonym + token.substring(end));
        return true;
      }
    }
    return false;
  }

  private static Map<String, String[]> loadSynonyms() {
    Map<String, String[]> synonyms = new HashMap<>();
    for (String line : TextResources.lines("synonyms.txt")) {
      int colon = line.indexOf(':');
      synonyms.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim().split("\\s*,\\s*"));
    }
    return synonyms;
  }
}
