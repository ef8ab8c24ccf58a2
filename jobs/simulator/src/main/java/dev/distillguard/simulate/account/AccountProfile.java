package dev.distillguard.simulate.account;

import java.util.SplittableRandom;

/**
 * What a population's accounts look like: ids, organisation, key, age, payment method and client. A
 * profile is a reusable description; {@link #prepare} makes the state one run of the population
 * shares (a company's org id, a campaign's few payment cards). {@link AccountProfiles} has the
 * standard profiles.
 */
@FunctionalInterface
public interface AccountProfile {

  Factory prepare(Ids ids, SplittableRandom rng);

  /** Creates the accounts of a prepared population. */
  @FunctionalInterface
  interface Factory {
    /** Account {@code index} of the population, which sends its first request at {@code activeFromMillis}. */
    Account create(int index, long activeFromMillis, SplittableRandom rng);
  }
}
