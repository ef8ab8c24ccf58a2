package dev.distillguard.simulate.prompt;

import dev.distillguard.contract.Capability;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Everyday prompts of real users: an opener, then topical phrases mixed with general words, 5 to 150
 * words long with most prompts short. Two organic prompts share almost no three-word shingles, so
 * their SimHashes are about 32 bits apart.
 */
public final class OrganicPrompts implements PromptSource {

  static final int MIN_WORDS = 5;
  static final int MAX_WORDS = 150;

  /** Lengths are log-normal: median {@value #MEDIAN_WORDS} words, a long tail of pasted context. */
  private static final double MEDIAN_WORDS = 14;
  private static final double LENGTH_SIGMA = 0.8;
  private static final double OPENER_SHARE = 0.7;
  private static final double PHRASE_SHARE = 0.5;

  private static final String[] COT_SUFFIXES = {
      " Think step by step.",
      " Explain your reasoning step by step.",
      " Show your work.",
      " Walk me through your reasoning before answering.",
  };

  private static final String[] VOCABULARY = loadVocabulary();
  private static final List<Topic> ALL_TOPICS = new ArrayList<>();
  private static final String[] OPENERS;

  static {
    String[] openers = null;
    for (TextResources.Section section : TextResources.sections("organic-topics.txt")) {
      if (section.name().equals("openers")) {
        openers = section.lines().toArray(String[]::new);
      } else {
        ALL_TOPICS.add(new Topic(section.name(), Capability.valueOf(section.attribute("capability")),
            Integer.parseInt(section.attribute("weight")), section.lines().toArray(String[]::new)));
      }
    }
    if (openers == null) {
      throw new IllegalStateException("organic-topics.txt has no [openers] section");
    }
    OPENERS = openers;
  }

  private record Topic(String name, Capability capability, int weight, String[] phrases) {}

  private final Topic[] topics;
  private final int[] cumulativeWeights;
  private final double cotShare;

  private OrganicPrompts(List<Topic> topics, double cotShare) {
    this.topics = topics.toArray(Topic[]::new);
    this.cumulativeWeights = new int[this.topics.length];
    int total = 0;
    for (int i = 0; i < this.topics.length; i++) {
      total += this.topics[i].weight();
      cumulativeWeights[i] = total;
    }
    this.cotShare = cotShare;
  }

  /** Prompts on every topic, {@code cotShare} of them asking for step-by-step reasoning. */
  public static OrganicPrompts everyTopic(double cotShare) {
    return new OrganicPrompts(ALL_TOPICS, cotShare);
  }

  private static OrganicPrompts onTopicsFor(Set<Capability> capabilities, double cotShare) {
    List<Topic> matching = ALL_TOPICS.stream().filter(t -> capabilities.contains(t.capability())).toList();
    if (matching.isEmpty()) {
      throw new IllegalArgumentException("no organic topic asks for " + capabilities);
    }
    return new OrganicPrompts(matching, cotShare);
  }

  /** Reasoning and code prompts, as evaluation suites ask them. */
  public static OrganicPrompts reasoningAndCode(double cotShare) {
    return onTopicsFor(EnumSet.of(Capability.REASONING, Capability.CODE), cotShare);
  }

  @Override
  public Prompt next(SplittableRandom rng) {
    Topic topic = pickTopic(rng);
    boolean cot = rng.nextDouble() < cotShare;
    int targetWords = targetLength(rng);
    StringBuilder text = new StringBuilder(targetWords * 8);
    appendBody(text, topic, targetWords, rng);
    if (cot) {
      text.append(COT_SUFFIXES[rng.nextInt(COT_SUFFIXES.length)]);
    }
    return Prompt.of(text.toString(), topic.capability(), cot);
  }

  private static void appendBody(StringBuilder text, Topic topic, int targetWords, SplittableRandom rng) {
    int words = 0;
    if (rng.nextDouble() < OPENER_SHARE) {
      words += append(text, OPENERS[rng.nextInt(OPENERS.length)]);
    }
    while (words < targetWords) {
      if (rng.nextDouble() < PHRASE_SHARE) {
        words += append(text, topic.phrases()[rng.nextInt(topic.phrases().length)]);
      } else {
        words += append(text, VOCABULARY[rng.nextInt(VOCABULARY.length)]);
      }
    }
    text.append(rng.nextInt(3) == 0 ? '.' : '?');
    text.setCharAt(0, Character.toUpperCase(text.charAt(0)));
  }

  private Topic pickTopic(SplittableRandom rng) {
    int ticket = rng.nextInt(cumulativeWeights[cumulativeWeights.length - 1]);
    for (int i = 0; i < cumulativeWeights.length; i++) {
      if (ticket < cumulativeWeights[i]) {
        return topics[i];
      }
    }
    throw new AssertionError("ticket beyond the total weight");
  }

  private static int targetLength(SplittableRandom rng) {
    double words = MEDIAN_WORDS * Math.exp(LENGTH_SIGMA * rng.nextGaussian());
    return (int) Math.max(MIN_WORDS, Math.min(MAX_WORDS, Math.round(words)));
  }

  private static int append(StringBuilder text, String phrase) {
    if (text.length() > 0) {
      text.append(' ');
    }
    text.append(phrase);
    return Prompt.countWords(phrase);
  }

  private static String[] loadVocabulary() {
    List<String> words = new ArrayList<>();
    for (String line : TextResources.lines("vocabulary.txt")) {
      words.addAll(List.of(line.split("\\s+")));
    }
    return words.toArray(String[]::new);
  }
}
