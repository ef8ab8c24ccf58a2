package dev.distillguard.simulate.account;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The standard kinds of accounts. */
public final class AccountProfiles {

  /** Share of organic accounts signed up in the last two weeks. */
  public static final double ORGANIC_NEW_SHARE = 0.04;

  private AccountProfiles() {}

  /**
   * People using the product for themselves: mostly in a browser (no API key), some through an SDK;
   * about half pay, each with a card of their own; no organisation.
   */
  public static AccountProfile individuals() {
    return individuals(AccountAges.established(ORGANIC_NEW_SHARE));
  }

  /** Individuals created as {@code ages} says, such as the signups of a release day. */
  public static AccountProfile individuals(AccountAges ages) {
    return (ids, rng) -> {
      AccountAges.Clock clock = ages.prepare();
      return (index, activeFrom, accountRng) -> {
        boolean browser = accountRng.nextDouble() < 0.85;
        return new Account(ids.account(), null, browser ? null : ids.apiKey(),
            clock.createdAt(index, activeFrom, accountRng),
            accountRng.nextDouble() < 0.5 ? ids.paymentFingerprint() : null,
            browser ? UserAgents.browser(accountRng) : UserAgents.officialSdk(accountRng));
      };
    };
  }

  /** Developers and companies on the API: each account its own organisation, card and SDK client. */
  public static AccountProfile businesses() {
    return (ids, rng) -> {
      AccountAges.Clock clock = AccountAges.established(ORGANIC_NEW_SHARE).prepare();
      return (index, activeFrom, accountRng) -> new Account(ids.account(), ids.org(), ids.apiKey(),
          clock.createdAt(index, activeFrom, accountRng), ids.paymentFingerprint(),
          UserAgents.officialSdk(accountRng));
    };
  }

  /** Staff of one company (one per run): one organisation and company card, mostly in a browser. */
  public static AccountProfile employees() {
    return (ids, rng) -> {
      AccountAges.Clock clock = AccountAges.established(ORGANIC_NEW_SHARE).prepare();
      String org = ids.org();
      String card = ids.paymentFingerprint();
      return (index, activeFrom, accountRng) -> {
        boolean browser = accountRng.nextDouble() < 0.8;
        return new Account(ids.account(), org, browser ? null : ids.apiKey(),
            clock.createdAt(index, activeFrom, accountRng), card,
            browser ? UserAgents.browser(accountRng) : UserAgents.officialSdk(accountRng));
      };
    };
  }

  /**
   * Students of one class: free accounts signed up the same day, shortly before the class, in a
   * browser.
   */
  public static AccountProfile students() {
    return (ids, rng) -> {
      AccountAges.Clock clock = AccountAges.justBefore(Duration.ofHours(6)).prepare();
      return (index, activeFrom, accountRng) -> new Account(ids.account(), null, null,
          clock.createdAt(index, activeFrom, accountRng), null, UserAgents.browser(accountRng));
    };
  }

  /**
   * Customers of an API reseller as the gateway sees them: sub-accounts of the reseller's organisation,
   * paid with the reseller's card, all sent by the reseller's own HTTP client.
   */
  public static AccountProfile resellerCustomers(String reseller, AccountAges ages) {
    return (ids, rng) -> {
      AccountAges.Clock clock = ages.prepare();
      String org = ids.owned("org-", reseller);
      String card = ids.owned("pf-", reseller);
      String client = reseller + "-gateway/3.2.1";
      return (index, activeFrom, accountRng) -> new Account(ids.account(), org, ids.apiKey(),
          clock.createdAt(index, activeFrom, accountRng), card, client);
    };
  }

  /**
   * A campaign's fraudulent accounts: created as {@code ages} says, paying with one of a handful
   * ({@code cards}) of payment methods, all sending one or two scripted client strings.
   */
  public static AccountProfile campaign(AccountAges ages, int cards, int clients) {
    if (cards < 1 || clients < 1 || clients > UserAgents.scriptedClientCount()) {
      throw new IllegalArgumentException("a campaign shares 1+ cards and 1.." + UserAgents.scriptedClientCount()
          + " client strings, not " + cards + " and " + clients);
    }
    return (ids, rng) -> {
      AccountAges.Clock clock = ages.prepare();
      List<String> cardPool = new ArrayList<>();
      for (int i = 0; i < cards; i++) {
        cardPool.add(ids.paymentFingerprint());
      }
      List<String> clientPool = new ArrayList<>();
      while (clientPool.size() < clients) {
        String client = UserAgents.scriptedClient(rng);
        if (!clientPool.contains(client)) {
          clientPool.add(client);
        }
      }
      return (index, activeFrom, accountRng) -> new Account(ids.account(), null, ids.apiKey(),
          clock.createdAt(index, activeFrom, accountRng), cardPool.get(accountRng.nextInt(cards)),
          clientPool.get(accountRng.nextInt(clients)));
    };
  }
}
