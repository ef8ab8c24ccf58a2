package dev.distillguard.detector.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The raw settings: the documented defaults, overlaid by a properties file, overlaid by command-line
 * flags. Typed getters parse on read and name the key in every error; {@link #requireAllRead()} rejects
 * keys nobody asked for, so a typo fails the start instead of being ignored.
 */
public final class Settings {

  private static final String DEFAULTS = "defaults.properties";
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  /** Longer than any window, horizon or timeout makes sense for, and far from overflowing milliseconds. */
  private static final Duration MAX_DURATION = Duration.ofDays(3650);

  private final Map<String, String> values;
  private final Set<String> read = new HashSet<>();

  private Settings(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Parses {@code --key value}, {@code --key=value} and {@code --config FILE}; positional arguments are
   * refused. Flags override the file, the file overrides the defaults.
   */
  public static Settings fromArgs(String... args) {
    Map<String, String> flags = new LinkedHashMap<>();
    String configFile = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new ConfigException("unexpected argument '" + arg + "': settings are --key value");
      }
      String key;
      String value;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        key = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else {
        key = arg.substring(2);
        if (i + 1 >= args.length) {
          throw new ConfigException("--" + key + " needs a value");
        }
        value = args[++i];
      }
      if (key.equals("config")) {
        configFile = value;
      } else {
        flags.put(key, value);
      }
    }
    Map<String, String> merged = defaults();
    if (configFile != null) {
      merged.putAll(checkedKeys(load(Path.of(configFile)), merged, "in " + configFile));
    }
    merged.putAll(checkedKeys(flags, merged, "on the command line"));
    return new Settings(merged);
  }

  /** Exactly {@code values}, e.g. those a job carried from {@link #values()}. */
  public static Settings copyOf(Map<String, String> values) {
    return new Settings(new LinkedHashMap<>(values));
  }

  public static Settings of(Map<String, String> overrides) {
    Map<String, String> merged = defaults();
    merged.putAll(checkedKeys(overrides, merged, "in the overrides"));
    return new Settings(merged);
  }

  /** These settings with {@code overrides} on top: keys must be known. */
  public Settings with(Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>(values);
    merged.putAll(checkedKeys(overrides, merged, "in the overrides"));
    return new Settings(merged);
  }

  /** Every effective value, defaults included: what a running job carries to rebuild its settings. */
  public Map<String, String> values() {
    return new java.util.TreeMap<>(values);
  }

  /** Every key with its default, in file order. */
  public static Map<String, String> defaults() {
    try (InputStream in = Settings.class.getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS + " is missing from the jar");
      }
      Properties props = new Properties();
      props.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
      Map<String, String> out = new LinkedHashMap<>();
      for (String name : new TreeSet<>(props.stringPropertyNames())) {
        out.put(name, props.getProperty(name).trim());
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> checkedKeys(Map<String, String> given, Map<String, String> known, String where) {
    for (String key : given.keySet()) {
      if (!known.containsKey(key)) {
        throw new ConfigException("unknown setting '" + key + "' " + where + suggestion(key, known.keySet()));
      }
    }
    return given;
  }

  private static String suggestion(String key, Set<String> known) {
    String tail = key.contains(".") ? key.substring(key.lastIndexOf('.') + 1) : key;
    for (String candidate : known) {
      if (candidate.endsWith(tail) || candidate.startsWith(key)) {
        return " (did you mean '" + candidate + "'?)";
      }
    }
    return "";
  }

  private static Map<String, String> load(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Properties props = new Properties();
      props.load(reader);
      Map<String, String> out = new LinkedHashMap<>();
      for (String name : props.stringPropertyNames()) {
        out.put(name, props.getProperty(name).trim());
      }
      return out;
    } catch (IOException e) {
      throw new ConfigException("cannot read --config " + file + ": " + e.getMessage());
    }
  }

  public String string(String key) {
    read.add(key);
    String value = values.get(key);
    if (value == null) {
      throw new IllegalStateException("no default for '" + key + "'");
    }
    return value;
  }

  public String nonEmpty(String key) {
    String value = string(key);
    if (value.isEmpty()) {
      throw new ConfigException(key + " must not be empty");
    }
    return value;
  }

  public int integer(String key, int min, int max) {
    String text = string(key);
    try {
      int value = Integer.parseInt(text);
      if (value < min || value > max) {
        throw new ConfigException(key + " must be in [" + min + ", " + max + "], was " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigException(key + " must be a whole number, was '" + text + "'");
    }
  }

  public double decimal(String key, double min, double max) {
    String text = string(key);
    try {
      double value = Double.parseDouble(text);
      if (!(value >= min && value <= max)) {
        throw new ConfigException(key + " must be in [" + min + ", " + max + "], was " + text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ConfigException(key + " must be a number, was '" + text + "'");
    }
  }

  public Duration duration(String key) {
    String text = string(key);
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw new ConfigException(key + " must be a duration such as 500ms, 30s, 10m, 2h or 7d, was '" + text + "'");
    }
    try {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
      if (d.compareTo(MAX_DURATION) > 0) {
        throw new ConfigException(key + " must be at most " + MAX_DURATION.toDays() + "d, was '" + text + "'");
      }
      return d;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new ConfigException(key + " is too large a duration: '" + text + "'");
    }
  }

  public boolean bool(String key) {
    String text = string(key);
    return switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(key + " must be true or false, was '" + text + "'");
    };
  }

  public <E extends Enum<E>> E enumeration(String key, Class<E> type) {
    String text = string(key);
    try {
      return Enum.valueOf(type, text.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + " must be one of " + java.util.Arrays.toString(type.getEnumConstants())
          + ", was '" + text + "'");
    }
  }

  public dev.distillguard.detector.patterns.Ramp ramp(String key) {
    try {
      return dev.distillguard.detector.patterns.Ramp.parse(string(key));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
  }

  /** Fails on keys that were set but never read: a setting the code does not know. */
  public void requireAllRead() {
    Set<String> unread = new TreeSet<>(values.keySet());
    unread.removeAll(read);
    if (!unread.isEmpty()) {
      throw new IllegalStateException("settings never read: " + unread);
    }
  }
}
