package dev.distillguard.simulate;

import dev.distillguard.simulate.account.AccountAges;
import dev.distillguard.simulate.account.AccountProfile;
import dev.distillguard.simulate.account.AccountProfiles;
import dev.distillguard.simulate.network.AddressPlan;
import dev.distillguard.simulate.network.AddressPlans;
import dev.distillguard.simulate.timing.Timing;

/**
 * A legitimate API reseller: many small customers, each a sub-account of the reseller's organisation,
 * all reaching the API from the reseller's few egress addresses (six, over four /24s at two hosting
 * providers). Populations built from one aggregator share its egress, organisation and client string,
 * which is how a campaign hides among its customers.
 */
public final class ApiAggregator {

  /** Each customer sends a Poisson stream at a rate drawn log-uniformly from this range, per minute. */
  static final double MIN_CUSTOMER_RATE = 0.1;
  static final double MAX_CUSTOMER_RATE = 0.5;

  private final String name;
  private final AddressPlan egress = AddressPlans.egressPool(6, 4, 2);

  public ApiAggregator(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  public AddressPlan egress() {
    return egress;
  }

  /** Sub-accounts of this aggregator, created as {@code ages} says. */
  public AccountProfile customers(AccountAges ages) {
    return AccountProfiles.resellerCustomers(name, ages);
  }

  /** The aggregator's honest customers: established accounts sending diverse prompts. */
  public Population customerPopulation(int customers) {
    return Population.builder("aggregator-customer", customers)
        .profile(customers(AccountAges.established(AccountProfiles.ORGANIC_NEW_SHARE)))
        .addresses(egress)
        .timing(Timing.poisson(MIN_CUSTOMER_RATE, MAX_CUSTOMER_RATE))
        .build();
  }

  /** Requests per minute the aggregator's honest customers send on average, all together. */
  public static double expectedRequestsPerMinute(int customers) {
    // Mean of a log-uniform rate on [a, b]: (b - a) / ln(b / a).
    return customers * (MAX_CUSTOMER_RATE - MIN_CUSTOMER_RATE) / Math.log(MAX_CUSTOMER_RATE / MIN_CUSTOMER_RATE);
  }
}
