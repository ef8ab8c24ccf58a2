package dev.distillguard.workbench;

import dev.distillguard.contract.ThrottleDecision;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The decisions as the rate limiter sees them: the latest record per entity, one line each. */
public final class DecisionTable {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  private DecisionTable() {}

  /** The latest decision per entity, in the order the entities were first decided. */
  public static List<ThrottleDecision> latestPerEntity(List<ThrottleDecision> decisions) {
    Map<String, ThrottleDecision> latest = new LinkedHashMap<>();
    for (ThrottleDecision d : decisions) {
      latest.merge(d.getEntityType() + ":" + d.getEntityId(), d,
          (a, b) -> b.getDecidedAt().isBefore(a.getDecidedAt()) ? a : b);
    }
    return new ArrayList<>(latest.values());
  }

  public static String render(List<ThrottleDecision> decisions) {
    List<ThrottleDecision> latest = latestPerEntity(decisions);
    latest.sort(Comparator.comparing(ThrottleDecision::getEntityType)
        .thenComparing(ThrottleDecision::getDecidedAt)
        .thenComparing(ThrottleDecision::getEntityId));
    Map<String, Integer> updates = new LinkedHashMap<>();
    for (ThrottleDecision d : decisions) {
      updates.merge(d.getEntityType() + ":" + d.getEntityId(), 1, Integer::sum);
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-8s  %-28s  %-8s  %4s  %5s  %8s  %7s  %-23s  %7s  %s%n",
        "TYPE", "ENTITY", "ACTION", "RPM", "SCORE", "ACCOUNTS", "SUBNETS", "EVIDENCE WINDOW (UTC)", "RECORDS",
        "PATTERN"));
    for (ThrottleDecision d : latest) {
      String key = d.getEntityType() + ":" + d.getEntityId();
      out.append(String.format(Locale.ROOT, "%-8s  %-28s  %-8s  %4s  %5.3f  %8d  %7d  %-23s  %7d  %s%n",
          d.getEntityType(), shorten(d.getEntityId(), 28), d.getAction(),
          d.getMaxRequestsPerMinute() == null ? "-" : d.getMaxRequestsPerMinute().toString(), d.getScore(),
          d.getAccounts().size(), d.getSubnets().size(),
          time(d.getWindowStart()) + " -> " + TIME.format(d.getWindowEnd()).substring(6), updates.get(key),
          pattern(d)));
    }
    return out.toString();
  }

  static String pattern(ThrottleDecision d) {
    for (String reason : d.getReasons()) {
      if (reason.startsWith("pattern=")) {
        return reason.substring("pattern=".length());
      }
    }
    return "?";
  }

  private static String time(Instant instant) {
    return TIME.format(instant);
  }

  private static String shorten(String s, int width) {
    return s.length() <= width ? s : s.substring(0, width - 1) + "~";
  }
}
