package dev.distillguard.simulate.prompt;

import dev.distillguard.contract.Capability;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scripted extraction prompt with one slot, loaded from {@code extraction-templates.txt}: a long
 * fixed wrapper that asks for reasoning, code or tool traces, around a short item the campaign script
 * changes on every request.
 */
public final class ExtractionTemplate {

  private static final Map<String, ExtractionTemplate> BY_NAME = load();

  private final String name;
  private final Capability capability;
  private final boolean cotElicitation;
  private final String[] tokens;
  private final String slotMarker;

  private ExtractionTemplate(String name, Capability capability, boolean cotElicitation, String[] tokens,
      String slotMarker) {
    this.name = name;
    this.capability = capability;
    this.cotElicitation = cotElicitation;
    this.tokens = tokens;
    this.slotMarker = slotMarker;
  }

  /** Every template, in file order. */
  public static List<ExtractionTemplate> all() {
    return List.copyOf(BY_NAME.values());
  }

  public static ExtractionTemplate named(String name) {
    ExtractionTemplate template = BY_NAME.get(name);
    if (template == null) {
      throw new IllegalArgumentException("no extraction template " + name + "; known: " + BY_NAME.keySet());
    }
    return template;
  }

  public String name() {
    return name;
  }

  public Capability capability() {
    return capability;
  }

  public boolean cotElicitation() {
    return cotElicitation;
  }

  /** Name of the slot the script fills, such as {@code problem}. */
  public String slot() {
    return slotMarker.substring(1, slotMarker.length() - 1);
  }

  /** The template as written, slot marker included: the reference a filled request drifts from. */
  public String unfilledText() {
    return String.join(" ", tokens);
  }

  /** The template's whitespace-separated tokens; the slot is the token equal to {@link #slotMarker()}. */
  String[] tokens() {
    return tokens;
  }

  String slotMarker() {
    return slotMarker;
  }

  /** Joins tokens (the template's own or a paraphrased copy) with the slot replaced by {@code item}. */
  String render(String[] words, String item) {
    StringBuilder text = new StringBuilder(words.length * 7 + item.length());
    for (String word : words) {
      if (text.length() > 0) {
        text.append(' ');
      }
      text.append(word.equals(slotMarker) ? item : word);
    }
    return text.toString();
  }

  private static Map<String, ExtractionTemplate> load() {
    Map<String, ExtractionTemplate> templates = new LinkedHashMap<>();
    for (TextResources.Section section : TextResources.sections("extraction-templates.txt")) {
      String[] tokens = section.text().split("\\s+");
      List<String> slots = new ArrayList<>();
      for (String token : tokens) {
        if (token.startsWith("{") && token.endsWith("}")) {
          slots.add(token);
        }
      }
      if (slots.size() != 1) {
        throw new IllegalStateException("template " + section.name() + " must have exactly one slot: " + slots);
      }
      templates.put(section.name(), new ExtractionTemplate(section.name(),
          Capability.valueOf(section.attribute("capability")),
          Boolean.parseBoolean(section.attribute("cot")), tokens, slots.get(0)));
    }
    return Collections.unmodifiableMap(templates);
  }
}
