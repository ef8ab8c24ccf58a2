package dev.distillguard.simulate.prompt;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the text banks shipped next to this class. Lines starting with {@code #} are comments and blank
 * lines are skipped. A sectioned file has headers such as {@code [name] key=value key=value} (lower-case
 * name), each followed by the lines of that section.
 */
final class TextResources {

  /** {@code [name] key=value ...}; a line that merely starts with a bracket is content. */
  private static final Pattern SECTION_HEADER = Pattern.compile("\\[[a-z0-9-]+](\\s+[a-z]+=\\S+)*");

  /** One section of a sectioned file. */
  record Section(String name, Map<String, String> attributes, List<String> lines) {

    String attribute(String key) {
      String value = attributes.get(key);
      if (value == null) {
        throw new IllegalStateException("section [" + name + "] has no attribute " + key);
      }
      return value;
    }

    /** The section's lines joined into one paragraph. */
    String text() {
      return String.join(" ", lines);
    }
  }

  private TextResources() {}

  static List<String> lines(String resource) {
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = open(resource)) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String trimmed = line.trim();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
          lines.add(trimmed);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
    return lines;
  }

  static List<Section> sections(String resource) {
    List<Section> sections = new ArrayList<>();
    String name = null;
    Map<String, String> attributes = null;
    List<String> body = null;
    for (String line : lines(resource)) {
      if (SECTION_HEADER.matcher(line).matches()) {
        if (name != null) {
          sections.add(new Section(name, attributes, body));
        }
        int close = line.indexOf(']');
        name = line.substring(1, close);
        attributes = new LinkedHashMap<>();
        for (String pair : line.substring(close + 1).trim().split("\\s+")) {
          if (!pair.isEmpty()) {
            int eq = pair.indexOf('=');
            attributes.put(pair.substring(0, eq), pair.substring(eq + 1));
          }
        }
        body = new ArrayList<>();
      } else if (name == null) {
        throw new IllegalStateException(resource + ": text before the first section: " + line);
      } else {
        body.add(line);
      }
    }
    if (name != null) {
      sections.add(new Section(name, attributes, body));
    }
    return sections;
  }

  private static BufferedReader open(String resource) {
    InputStream in = TextResources.class.getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("missing resource " + resource + " next to " + TextResources.class.getName());
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }
}
