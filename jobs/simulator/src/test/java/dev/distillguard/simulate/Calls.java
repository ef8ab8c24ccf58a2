package dev.distillguard.simulate;

import dev.distillguard.contract.ApiCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** A materialised slice of a small scenario, with the measurements the tests assert on. */
final class Calls {

  final List<LabelledCall> labelled;

  private Calls(List<LabelledCall> labelled) {
    this.labelled = labelled;
  }

  static Calls of(Scenario scenario) {
    List<LabelledCall> all = new ArrayList<>();
    scenario.iterator().forEachRemaining(all::add);
    return new Calls(all);
  }

  Calls where(Predicate<LabelledCall> filter) {
    return new Calls(labelled.stream().filter(filter).toList());
  }

  Calls population(String population) {
    return where(c -> c.label().population().equals(population));
  }

  Calls campaign() {
    return where(c -> c.label().campaign());
  }

  Calls between(Instant from, Instant until) {
    return where(c -> !c.call().getEventTime().isBefore(from) && c.call().getEventTime().isBefore(until));
  }

  List<ApiCall> calls() {
    return labelled.stream().map(LabelledCall::call).toList();
  }

  int size() {
    return labelled.size();
  }

  <T> Set<T> distinct(Function<ApiCall, T> field) {
    return calls().stream().map(field).collect(Collectors.toSet());
  }

  Set<String> slash24s() {
    return distinct(c -> slash24(c.getClientIp()));
  }

  Map<String, List<ApiCall>> byAccount() {
    return calls().stream().collect(Collectors.groupingBy(ApiCall::getAccountId, LinkedHashMap::new,
        Collectors.toList()));
  }

  int accounts() {
    return distinct(ApiCall::getAccountId).size();
  }

  Instant first() {
    return labelled.get(0).call().getEventTime();
  }

  Instant last() {
    return labelled.get(labelled.size() - 1).call().getEventTime();
  }

  /** Calls per minute between the first and the last call. */
  double perMinute() {
    return perMinute(calls());
  }

  static double perMinute(List<ApiCall> calls) {
    long millis = Duration.between(calls.get(0).getEventTime(), calls.get(calls.size() - 1).getEventTime()).toMillis();
    return millis == 0 ? Double.POSITIVE_INFINITY : (calls.size() - 1) * 60_000.0 / millis;
  }

  /** Gaps in millis between consecutive calls of one account. */
  static List<Long> gaps(List<ApiCall> calls) {
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < calls.size(); i++) {
      gaps.add(Duration.between(calls.get(i - 1).getEventTime(), calls.get(i).getEventTime()).toMillis());
    }
    return gaps;
  }

  /** The /24 of an IPv4 address, or the /64 of an IPv6 one. */
  static String slash24(String ip) {
    if (ip.contains(":")) {
      String[] groups = ip.split(":");
      return String.join(":", groups[0], groups[1], groups[2], groups[3]) + "::/64";
    }
    return ip.substring(0, ip.lastIndexOf('.')) + ".0/24";
  }

  static double median(Collection<? extends Number> values) {
    List<Double> sorted = values.stream().map(Number::doubleValue).sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  static double coefficientOfVariation(List<Long> values) {
    double mean = values.stream().mapToLong(Long::longValue).average().orElseThrow();
    double variance = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).average().orElseThrow();
    return Math.sqrt(variance) / mean;
  }
}
