package dev.distillguard.bench.load;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.Capability;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Synthetic gateway traffic for benchmarks: a fixed population of accounts, each on a home /24, calling
 * at a steady aggregate rate in event time, with a share of the calls from one carrier-NAT subnet and a
 * hydra campaign hidden in it. Unlike the scenario catalogue it is cheap to make millions of, and its
 * shape is set by the few numbers cost depends on: how many keys are active, how hot the hottest key is,
 * and how dense event time is.
 *
 * @param records calls in total
 * @param accounts active accounts; each call picks one uniformly, so every account is active in every
 *     window once {@code callsPerSecond * window >> accounts}
 * @param callsPerSecond calls per second of event time, across all accounts
 * @param hotSubnetShare share of all calls sent from one /24 (a carrier NAT), whoever the account
 * @param campaignShare share of accounts that belong to a hydra campaign: a few reasoning templates with
 *     drifting SimHash bits, regular prompt sizes
 * @param seed the same seed makes the same calls
 * @param start event time of the first call
 */
public record GatewayLoad(long records, int accounts, double callsPerSecond, double hotSubnetShare,
    double campaignShare, long seed, Instant start) {

  /** Accounts per home /24: a few colleagues or households share one. */
  static final int ACCOUNTS_PER_SUBNET = 8;
  static final int CAMPAIGN_TEMPLATES = 16;
  private static final String HOT_SUBNET_PREFIX = "100.64.7.";

  public GatewayLoad {
    if (records < 1 || accounts < 1 || callsPerSecond <= 0) {
      throw new IllegalArgumentException("records, accounts and calls per second must be positive");
    }
    if (hotSubnetShare < 0 || hotSubnetShare > 1 || campaignShare < 0 || campaignShare > 1) {
      throw new IllegalArgumentException("shares must be between 0 and 1");
    }
  }

  /** Event time from the first call to the last. */
  public Duration span() {
    return Duration.ofMillis((long) ((records - 1) * 1000.0 / callsPerSecond));
  }

  /** A name that identifies this load, for a topic that can be reused by the next run of the same load. */
  public String topicName() {
    return String.format(Locale.ROOT, "bench.gateway.r%d.a%d.c%d.h%03d.k%03d.s%d", records, accounts,
        (long) callsPerSecond, Math.round(hotSubnetShare * 100), Math.round(campaignShare * 100), seed);
  }

  public boolean isHotSubnet(String clientIp) {
    return clientIp.startsWith(HOT_SUBNET_PREFIX);
  }

  public boolean isCampaignAccount(String accountId) {
    return accountId.startsWith("hydra-");
  }

  /** The calls in event-time order (ties broken by generation order). */
  public Iterator<ApiCall> calls() {
    return new Calls();
  }

  private final class Calls implements Iterator<ApiCall> {
    private final SplittableRandom random = new SplittableRandom(seed);
    private final int campaignAccounts = (int) Math.round(accounts * campaignShare);
    private final long[] templates = new long[CAMPAIGN_TEMPLATES];
    private final long startMillis = start.toEpochMilli();
    private final Instant createdLongAgo = start.minus(Duration.ofDays(400));
    private final Instant createdRecently = start.minus(Duration.ofDays(2));
    private long next;

    Calls() {
      SplittableRandom templateRandom = new SplittableRandom(seed ^ 0x7E3A_11C5_9B02_44D1L);
      for (int t = 0; t < templates.length; t++) {
        templates[t] = templateRandom.nextLong();
      }
    }

    @Override
    public boolean hasNext() {
      return next < records;
    }

    @Override
    public ApiCall next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      long i = next++;
      int account = random.nextInt(accounts);
      boolean hydra = account < campaignAccounts;
      String accountId = (hydra ? "hydra-" : "acct-") + account;
      int subnet = account / ACCOUNTS_PER_SUBNET;
      String ip = random.nextDouble() < hotSubnetShare
          ? HOT_SUBNET_PREFIX + (1 + random.nextInt(254))
          : (11 + (subnet >>> 16)) + "." + ((subnet >>> 8) & 0xff) + "." + (subnet & 0xff) + "."
              + (1 + account % ACCOUNTS_PER_SUBNET);
      ApiCall.Builder call = ApiCall.newBuilder()
          .setRequestId(Long.toString(seed, 36) + "-" + Long.toString(i, 36))
          .setEventTime(Instant.ofEpochMilli(startMillis + (long) (i * 1000.0 / callsPerSecond)))
          .setAccountId(accountId)
          .setOrgId(hydra ? null : "org-" + (account / 50))
          .setApiKeyId(accountId + "-k")
          .setClientIp(ip)
          .setAsn(64_512 + subnet % 1000)
          .setCountry(hydra ? "SG" : "US")
          .setAccountCreatedAt(hydra ? createdRecently : createdLongAgo)
          .setPaymentFingerprint(hydra ? "card-" + (account % 97) : "card-" + account)
          .setUserAgent(hydra ? "python-httpx/0.27" : "Mozilla/5.0")
          .setModel("frontier-2")
          .setStatusCode(200);
      if (hydra) {
        long template = templates[account % CAMPAIGN_TEMPLATES];
        call.setPromptSimhash(template ^ (1L << random.nextInt(64)) ^ (1L << random.nextInt(64)))
            .setCapability(account % 3 == 0 ? Capability.CODE : Capability.REASONING)
            .setCotElicitation(true)
            .setPromptTokens(800 + random.nextInt(20))
            .setCompletionTokens(1800 + random.nextInt(200));
      } else {
        call.setPromptSimhash(random.nextLong())
            .setCapability(random.nextInt(10) < 7 ? Capability.CHAT : Capability.CODE)
            .setCotElicitation(random.nextInt(20) == 0)
            .setPromptTokens(20 + random.nextInt(3000))
            .setCompletionTokens(10 + random.nextInt(2000));
      }
      return call.build();
    }
  }
}
