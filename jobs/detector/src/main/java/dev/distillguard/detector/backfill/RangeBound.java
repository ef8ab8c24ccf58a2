package dev.distillguard.detector.backfill;

import dev.distillguard.detector.config.ConfigException;
import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/**
 * One end of a backfill range: an instant (matched against Kafka record timestamps) or explicit offsets
 * per partition.
 *
 * @param timestamp epoch millis, or null when the bound is offsets
 * @param offsets partition to offset, or null when the bound is a timestamp
 */
public record RangeBound(Long timestamp, Map<Integer, Long> offsets) implements Serializable {

  static final String OFFSETS_PREFIX = "offsets:";

  /** Parses {@code 2025-06-02T09:00:00Z}, {@code 2025-06-02T09:00:00} (UTC), epoch millis or {@code offsets:0=12,1=40}. */
  public static RangeBound parse(String key, String text) {
    String value = text.trim();
    if (value.startsWith(OFFSETS_PREFIX)) {
      Map<Integer, Long> offsets = new TreeMap<>();
      for (String part : value.substring(OFFSETS_PREFIX.length()).split(",")) {
        String[] kv = part.split("=");
        try {
          if (kv.length != 2 || Long.parseLong(kv[1].trim()) < 0) {
            throw new NumberFormatException();
          }
          offsets.put(Integer.parseInt(kv[0].trim()), Long.parseLong(kv[1].trim()));
        } catch (NumberFormatException e) {
          throw new ConfigException(key + " offsets must be PARTITION=OFFSET,..., was '" + text + "'");
        }
      }
      return new RangeBound(null, offsets);
    }
    if (value.chars().allMatch(Character::isDigit) && !value.isEmpty()) {
      return new RangeBound(Long.parseLong(value), null);
    }
    try {
      return new RangeBound(Instant.parse(value).toEpochMilli(), null);
    } catch (DateTimeParseException e) {
      try {
        return new RangeBound(LocalDateTime.parse(value).toInstant(ZoneOffset.UTC).toEpochMilli(), null);
      } catch (DateTimeParseException again) {
        throw new ConfigException(key + " must be ISO-8601 (2025-06-02T09:00:00Z), epoch millis or "
            + "offsets:PARTITION=OFFSET,..., was '" + text + "'");
      }
    }
  }

  public boolean isTimestamp() {
    return timestamp != null;
  }

  /** Compact, file- and topic-name-safe text of the bound: 20250602T090000Z or o0-12.1-40. */
  public String label() {
    if (isTimestamp()) {
      return Instant.ofEpochMilli(timestamp).toString().replace("-", "").replace(":", "").replace(".000", "");
    }
    StringBuilder out = new StringBuilder("o");
    offsets.forEach((p, o) -> out.append(out.length() > 1 ? "." : "").append(p).append('-').append(o));
    return out.toString();
  }
}
