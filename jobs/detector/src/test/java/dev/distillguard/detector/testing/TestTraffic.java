package dev.distillguard.detector.testing;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.Capability;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Small, exact traffic for topology tests: an organic crowd, one heavy legitimate customer and one hydra
 * campaign, all in event-time order. The scenario catalogue lives in the simulator module; this is only
 * what a test needs to know precisely who is who.
 */
public final class TestTraffic {

  public static final long START = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
  private static final long MINUTE = 60_000;
  private static final long DAY = 86_400_000;

  private final Random random;
  private final List<ApiCall> calls = new ArrayList<>();
  private int sequence;

  public TestTraffic(long seed) {
    this.random = new Random(seed);
  }

  /** Light users on stable home subnets, diverse prompts, old accounts. */
  public TestTraffic organic(int accounts, double requestsPerMinute, long minutes) {
    for (int a = 0; a < accounts; a++) {
      String account = "user-" + a;
      String ip = "198.18." + (a % 120) + "." + (10 + a % 200);
      long createdAt = START - (30 + random.nextInt(700)) * DAY;
      long t = START + (long) (random.nextDouble() * MINUTE / requestsPerMinute);
      while (t < START + minutes * MINUTE) {
        Capability capability = random.nextInt(10) < 7 ? Capability.CHAT : Capability.CODE;
        add(t, account, ip, random.nextLong(), capability, random.nextInt(20) == 0, createdAt, 40 + random.nextInt(400));
        t += (long) (-Math.log(1 - random.nextDouble()) * MINUTE / requestsPerMinute);
      }
    }
    return this;
  }

  /** One paying customer: hundreds of requests a minute, diverse prompts, Poisson arrivals. */
  public TestTraffic heavyCustomer(String account, double requestsPerMinute, long minutes) {
    long createdAt = START - 400 * DAY;
    long t = START;
    while (t < START + minutes * MINUTE) {
      Capability capability = Capability.values()[random.nextInt(3)];
      add(t, account, "192.0.2." + random.nextInt(4), random.nextLong(), capability, random.nextInt(10) == 0,
          createdAt, 200 + random.nextInt(1500));
      t += (long) (-Math.log(1 - random.nextDouble()) * MINUTE / requestsPerMinute);
    }
    return this;
  }

  /**
   * A hydra: each account sends the template (a few bits of drift) every {@code periodMinutes}, from a
   * different /24 of the proxy pool each time, from {@code startMinute}.
   */
  public TestTraffic hydra(String prefix, int accounts, int proxySubnets, double periodMinutes, long template,
      long startMinute, long minutes) {
    for (int a = 0; a < accounts; a++) {
      String account = prefix + a;
      long createdAt = START - random.nextInt(3) * DAY;
      long t = START + startMinute * MINUTE + (long) (random.nextDouble() * periodMinutes * MINUTE);
      while (t < START + (startMinute + minutes) * MINUTE) {
        int subnet = random.nextInt(proxySubnets);
        String ip = "100." + (64 + subnet / 250) + "." + (subnet % 250) + "." + (1 + random.nextInt(250));
        long simhash = template ^ (1L << random.nextInt(64)) ^ (random.nextBoolean() ? 1L << random.nextInt(64) : 0);
        add(t, account, ip, simhash, Capability.REASONING, true, createdAt, 180 + random.nextInt(30));
        t += (long) (periodMinutes * MINUTE * (0.9 + 0.2 * random.nextDouble()));
      }
    }
    return this;
  }

  /** One scripted account hammering one template on a clock. */
  public TestTraffic burst(String account, double requestsPerMinute, long template, long startMinute, long minutes) {
    long createdAt = START - 2 * DAY;
    long period = (long) (MINUTE / requestsPerMinute);
    for (long t = START + startMinute * MINUTE; t < START + (startMinute + minutes) * MINUTE; t += period) {
      long simhash = template ^ (1L << random.nextInt(64));
      add(t + random.nextInt((int) Math.max(1, period / 10)), account, "203.0.113.9", simhash, Capability.CODE, true,
          createdAt, 150 + random.nextInt(20));
    }
    return this;
  }

  public List<ApiCall> calls() {
    List<ApiCall> sorted = new ArrayList<>(calls);
    sorted.sort(Comparator.comparing(ApiCall::getEventTime));
    return sorted;
  }

  private void add(long t, String account, String ip, long simhash, Capability capability, boolean cot,
      long createdAt, int promptTokens) {
    ApiCall call = Calls.call("req-" + (sequence++), t, account, ip, simhash, capability, cot);
    call.setAccountCreatedAt(Instant.ofEpochMilli(createdAt));
    call.setPromptTokens(promptTokens);
    call.setCompletionTokens(300 + random.nextInt(900));
    calls.add(call);
  }
}
