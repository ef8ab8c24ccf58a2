package dev.distillguard.detector.policy;

import dev.distillguard.contract.ActionPolicy;
import dev.distillguard.contract.Allowlist;
import dev.distillguard.contract.Denylist;
import dev.distillguard.contract.DetectionPolicy;
import java.util.ArrayList;
import java.util.List;

/** Policies for tests: version and author set, every list empty. */
final class Policies {

  private Policies() {}

  static DetectionPolicy empty(long version) {
    return DetectionPolicy.newBuilder()
        .setVersion(version)
        .setAuthor("alice@trust-and-safety")
        .setThresholds(new ArrayList<>())
        .setMinimums(new ArrayList<>())
        .setAllowlist(new Allowlist(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()))
        .setDenylist(new Denylist(new ArrayList<>(), new ArrayList<>()))
        .build();
  }

  static ActionPolicy actions(double review, double throttle, double block) {
    return new ActionPolicy(review, throttle, block, 6, 0, 3600L);
  }

  static List<String> list(String... values) {
    return new ArrayList<>(List.of(values));
  }
}
