package dev.distillguard.simulate.account;

import java.util.HashMap;
import java.util.Map;

/**
 * Identifiers of one simulation run: accounts, organisations, API keys and payment fingerprints. Each
 * kind counts up and passes the count through a 64-bit bijective mix salted by the run's seed, so ids
 * look random, repeat with the seed, and never collide within a run.
 */
public final class Ids {

  private final long salt;
  private final Map<String, long[]> counters = new HashMap<>();
  private final Map<String, String> named = new HashMap<>();

  public Ids(long seed) {
    this.salt = mix(seed ^ 0x5DEECE66DL);
  }

  public String account() {
    return next("acct-");
  }

  public String org() {
    return next("org-");
  }

  public String apiKey() {
    return next("key-");
  }

  public String paymentFingerprint() {
    return next("pf-");
  }

  /**
   * The id of kind {@code prefix} that belongs to {@code owner}, the same every time it is asked for in
   * this run: how populations that share an organisation (an aggregator and a campaign among its
   * customers) agree on its ids.
   */
  public String owned(String prefix, String owner) {
    return named.computeIfAbsent(prefix + owner, key -> next(prefix));
  }

  private String next(String prefix) {
    long[] counter = counters.computeIfAbsent(prefix, p -> new long[1]);
    long value = mix(salt + prefix.hashCode() * 0x9E3779B97F4A7C15L + counter[0]++);
    return prefix + hex16(value);
  }

  /** Sixteen lower-case hex digits, zero padded. */
  private static String hex16(long value) {
    String hex = Long.toHexString(value);
    return "0".repeat(16 - hex.length()) + hex;
  }

  /** MurmurHash3's 64-bit finaliser: a bijection, so distinct inputs give distinct ids. */
  public static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
