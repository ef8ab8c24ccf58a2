package dev.distillguard.bench.jmh;

import dev.distillguard.contract.Capability;
import dev.distillguard.detector.features.FeatureSettings;
import dev.distillguard.detector.features.Panes;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The calls one key of a key space receives while an extraction campaign runs: a hydra of young accounts
 * on a few hosting subnets, sharing a handful of payment cards, sending one scripted reasoning template
 * with a fresh item each time. A subnet key also carries the organic traffic of the subnet's other
 * tenants. Seeded, so every fork and every run measures the same calls.
 */
final class CampaignCalls {

  /** A pane-aligned instant, so pane p of a window starts p slides after it. */
  static final long START = Instant.parse("2025-06-02T09:00:00Z").toEpochMilli();

  /** The SimHash of the campaign's unfilled template; filled requests land a few bits away. */
  static final long TEMPLATE_SIMHASH = 0x5DEE_CE66_D1CE_4E5BL;

  private static final String CAMPAIGN_ACCOUNT = "acct-7f3a21c09e44";
  private static final String SHARED_SUBNET = "203.0.113.0/24";
  private static final int CAMPAIGN_ACCOUNTS = 400;
  private static final int SUBNET_TENANTS = 40;
  private static final int HOSTING_SUBNETS = 24;
  private static final int SHARED_CARDS = 12;
  private static final String[] COUNTRIES = {"NL", "DE", "US", "SG", "FI"};
  private static final long DAY = Duration.ofDays(1).toMillis();

  private CampaignCalls() {}

  /** {@code count} calls of one {@code space} key spread evenly over the pane starting at {@code paneStart}. */
  static List<CallEvent> pane(KeySpace space, long paneStart, int count, FeatureSettings settings,
      SplittableRandom random) {
    long spacing = settings.slideMillis() / count;
    List<CallEvent> calls = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      // A script's clock ticks evenly; the jitter stays inside one spacing, so every call keeps its pane.
      long eventTime = paneStart + i * spacing + random.nextLong(Math.max(1, spacing / 4));
      boolean organic = space == KeySpace.SUBNET && random.nextInt(10) < 3;
      calls.add(organic ? organic(eventTime, random) : campaign(space, eventTime, random));
    }
    return calls;
  }

  /** The {@code panesPerWindow} panes of one key's window ending at {@code windowEnd}, built as the job does. */
  static List<Pane> window(KeySpace space, long windowEnd, int callsPerPane, FeatureSettings settings,
      SplittableRandom random) {
    List<Pane> panes = new ArrayList<>(settings.panesPerWindow());
    for (long start = windowEnd - settings.windowMillis(); start < windowEnd; start += settings.slideMillis()) {
      Pane pane = Panes.empty(start);
      for (CallEvent call : pane(space, start, callsPerPane, settings, random)) {
        Panes.add(pane, call, space, settings);
      }
      panes.add(pane);
    }
    return panes;
  }

  private static CallEvent campaign(KeySpace space, long eventTime, SplittableRandom random) {
    int accountIndex = random.nextInt(space == KeySpace.SUBNET ? SUBNET_TENANTS : CAMPAIGN_ACCOUNTS);
    String account = space == KeySpace.ACCOUNT ? CAMPAIGN_ACCOUNT : String.format("acct-%012x", mix(accountIndex));
    // A subnet key's calls all come from its one network, and so from one ASN and country.
    int subnetIndex = space == KeySpace.SUBNET ? 0 : random.nextInt(HOSTING_SUBNETS);
    CallEvent call = new CallEvent();
    call.setEventTime(eventTime);
    call.setRank(random.nextLong());
    call.setAccountId(account);
    // Throwaway signups belong to no organisation.
    call.setOrgId(null);
    call.setSubnet(space == KeySpace.SUBNET ? SHARED_SUBNET : "198.51." + subnetIndex + ".0/24");
    call.setAsn(64_500 + subnetIndex % 6);
    call.setCountry(COUNTRIES[subnetIndex % COUNTRIES.length]);
    call.setPaymentFingerprint("card-" + Math.floorMod(mix(accountIndex), SHARED_CARDS));
    call.setAccountAgeMs(random.nextLong(5 * DAY));
    call.setPromptTokens(78 + random.nextInt(12));
    call.setCompletionTokens(800 + random.nextInt(800));
    call.setSimhash(TEMPLATE_SIMHASH ^ flippedBits(random, random.nextInt(5)));
    call.setCapability((random.nextBoolean() ? Capability.REASONING : Capability.CODE).ordinal());
    call.setCot(random.nextInt(10) < 8);
    return call;
  }

  private static CallEvent organic(long eventTime, SplittableRandom random) {
    String account = String.format("acct-%012x", random.nextLong() & 0xffff_ffff_ffffL);
    CallEvent call = new CallEvent();
    call.setEventTime(eventTime);
    call.setRank(random.nextLong());
    call.setAccountId(account);
    call.setOrgId("org-" + account.substring(5, 11));
    call.setSubnet(SHARED_SUBNET);
    call.setAsn(64_500);
    call.setCountry("NL");
    call.setPaymentFingerprint("card-" + account);
    call.setAccountAgeMs((30 + random.nextLong(900)) * DAY);
    call.setPromptTokens(20 + random.nextInt(600));
    call.setCompletionTokens(50 + random.nextInt(1500));
    call.setSimhash(random.nextLong());
    call.setCapability(Capability.CHAT.ordinal());
    call.setCot(random.nextInt(20) == 0);
    return call;
  }

  private static long flippedBits(SplittableRandom random, int bits) {
    long mask = 0L;
    for (int i = 0; i < bits; i++) {
      mask |= 1L << random.nextInt(64);
    }
    return mask;
  }

  /** Spreads account indexes into id-like 48-bit numbers that still repeat for the same index. */
  private static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    return k & 0xffff_ffff_ffffL;
  }
}
