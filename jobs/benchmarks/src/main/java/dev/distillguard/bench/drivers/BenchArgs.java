package dev.distillguard.bench.drivers;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** {@code --key value} arguments of a benchmark driver; asking for a key marks it as known. */
final class BenchArgs {

  private final Map<String, String> values = new HashMap<>();
  private final Set<String> known = new TreeSet<>();
  private final String usage;

  BenchArgs(String[] args, String usage) {
    this.usage = usage;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw fail("unexpected argument " + arg);
      }
      String key = arg.substring(2);
      String value;
      int eq = key.indexOf('=');
      if (eq >= 0) {
        value = key.substring(eq + 1);
        key = key.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw fail("--" + key + " needs a value");
      }
      values.put(key, value);
    }
  }

  String string(String key, String fallback) {
    known.add(key);
    return values.getOrDefault(key, fallback);
  }

  long longValue(String key, long fallback) {
    String v = string(key, null);
    try {
      return v == null ? fallback : Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw fail("--" + key + " must be a whole number, was " + v);
    }
  }

  int intValue(String key, int fallback) {
    return Math.toIntExact(longValue(key, fallback));
  }

  double doubleValue(String key, double fallback) {
    String v = string(key, null);
    try {
      return v == null ? fallback : Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw fail("--" + key + " must be a number, was " + v);
    }
  }

  /** Call after reading every option: an option nobody asked for is a typo. */
  void requireAllKnown() {
    for (String key : values.keySet()) {
      if (!known.contains(key)) {
        throw fail("unknown option --" + key);
      }
    }
  }

  private IllegalArgumentException fail(String message) {
    return new IllegalArgumentException(String.format(Locale.ROOT, "%s%nusage: %s", message, usage));
  }
}
