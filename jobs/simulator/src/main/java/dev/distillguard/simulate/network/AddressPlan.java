package dev.distillguard.simulate.network;

import java.util.SplittableRandom;

/**
 * Where a population's requests come from. A plan is a reusable description; {@link #prepare} lays it
 * out on the internet for one run (a NAT's egress addresses, a proxy pool's /24s), and the result
 * gives each account its {@link AddressSource}. A prepared plan can serve several populations, as an
 * API aggregator's egress serves both its honest customers and a campaign hiding among them.
 * {@link AddressPlans} has the standard plans.
 */
public interface AddressPlan {

  /**
   * Whether the plan puts many accounts behind the same addresses (NAT, aggregator, campus subnet,
   * proxies), which is the ground truth of {@code Label.sharedAddress}.
   */
  boolean shared();

  Assigner prepare(Internet internet, SplittableRandom rng);

  /** Gives each account of a prepared plan its address source. */
  @FunctionalInterface
  interface Assigner {
    AddressSource forAccount(SplittableRandom rng);
  }
}
