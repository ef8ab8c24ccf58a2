package dev.distillguard.simulate.prompt;

import dev.distillguard.contract.Capability;
import dev.distillguard.contract.simhash.PromptSimHash;

/**
 * One prompt as sent to the API: its full text (system prompt included) and what the gateway derives
 * from it. The text never leaves the simulator; only the SimHash, the size and the flags reach the
 * {@code ApiCall}.
 *
 * @param words words of the text as the SimHash normalisation counts them, for the token estimate
 */
public record Prompt(String text, long simHash, int words, Capability capability, boolean cotElicitation) {

  /** A prompt whose SimHash and word count are computed from its text. */
  public static Prompt of(String text, Capability capability, boolean cotElicitation) {
    return new Prompt(text, PromptSimHash.of(text), countWords(text), capability, cotElicitation);
  }

  /**
   * Counts maximal runs of letters and digits, the words {@link PromptSimHash} hashes. The simulator's
   * texts are ASCII apart from the odd symbol, so a char scan gives the same count as the
   * code-point normalisation.
   */
  static int countWords(CharSequence text) {
    int words = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      boolean letterOrDigit = Character.isLetterOrDigit(text.charAt(i));
      if (letterOrDigit && !inWord) {
        words++;
      }
      inWord = letterOrDigit;
    }
    return words;
  }
}
