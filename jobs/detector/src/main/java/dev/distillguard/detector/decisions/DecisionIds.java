package dev.distillguard.detector.decisions;

import dev.distillguard.contract.ThrottleDecision;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Deterministic decision ids: a hash of everything the decision says except its own id and the detector
 * version, so a replay of the same input yields the same ids and consumers can de-duplicate.
 */
public final class DecisionIds {

  private DecisionIds() {}

  public static String idOf(ThrottleDecision d) {
    StringBuilder canonical = new StringBuilder(256);
    canonical.append(d.getEntityType()).append('\n')
        .append(d.getEntityId()).append('\n')
        .append(d.getAction()).append('\n')
        .append(d.getMaxRequestsPerMinute()).append('\n')
        .append(Double.doubleToLongBits(d.getScore())).append('\n')
        .append(d.getWindowStart().toEpochMilli()).append('\n')
        .append(d.getWindowEnd().toEpochMilli()).append('\n')
        .append(d.getDecidedAt().toEpochMilli()).append('\n')
        .append(d.getExpiresAt().toEpochMilli()).append('\n');
    appendAll(canonical, d.getReasons());
    appendAll(canonical, d.getAccounts());
    appendAll(canonical, d.getSubnets());
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private static void appendAll(StringBuilder out, List<String> values) {
    out.append(values.size()).append('\n');
    for (String v : values) {
      out.append(v.length()).append(':').append(v).append('\n');
    }
  }
}
