package dev.distillguard.simulate.prompt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The short items a campaign script pastes into template slots, from the patterns in
 * {@code slot-fills.txt}: {@code [a|b]} picks an alternative, {@code #} a number from 2 to 99.
 */
final class SlotFills {

  private static final int MIN_NUMBER = 2;
  private static final int MAX_NUMBER = 99;
  private static final Map<String, Pattern[]> PATTERNS_BY_SLOT = load();

  private SlotFills() {}

  static String fill(String slot, SplittableRandom rng) {
    Pattern[] patterns = PATTERNS_BY_SLOT.get(slot);
    if (patterns == null) {
      throw new IllegalArgumentException("no fills for slot {" + slot + "}; known: " + PATTERNS_BY_SLOT.keySet());
    }
    return patterns[rng.nextInt(patterns.length)].render(rng);
  }

  /** A parsed pattern: literal text, alternatives and number placeholders in order. */
  private record Pattern(Object[] parts) {

    private static final Object NUMBER = new Object();

    static Pattern parse(String pattern) {
      List<Object> parts = new ArrayList<>();
      StringBuilder literal = new StringBuilder();
      for (int i = 0; i < pattern.length(); i++) {
        char c = pattern.charAt(i);
        if (c == '#' || c == '[') {
          if (literal.length() > 0) {
            parts.add(literal.toString());
            literal.setLength(0);
          }
          if (c == '#') {
            parts.add(NUMBER);
          } else {
            int close = pattern.indexOf(']', i);
            parts.add(pattern.substring(i + 1, close).split("\\|"));
            i = close;
          }
        } else {
          literal.append(c);
        }
      }
      if (literal.length() > 0) {
        parts.add(literal.toString());
      }
      return new Pattern(parts.toArray());
    }

    String render(SplittableRandom rng) {
      StringBuilder text = new StringBuilder(32);
      for (Object part : parts) {
        if (part == NUMBER) {
          text.append(rng.nextInt(MIN_NUMBER, MAX_NUMBER + 1));
        } else if (part instanceof String[] alternatives) {
          text.append(alternatives[rng.nextInt(alternatives.length)]);
        } else {
          text.append((String) part);
        }
      }
      return text.toString();
    }
  }

  private static Map<String, Pattern[]> load() {
    Map<String, Pattern[]> bySlot = new HashMap<>();
    for (TextResources.Section section : TextResources.sections("slot-fills.txt")) {
      bySlot.put(section.name(), section.lines().stream().map(Pattern::parse).toArray(Pattern[]::new));
    }
    return bySlot;
  }
}
