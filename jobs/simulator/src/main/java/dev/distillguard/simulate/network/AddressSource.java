package dev.distillguard.simulate.network;

import java.util.SplittableRandom;

/** The address each request of one account comes from. */
@FunctionalInterface
public interface AddressSource {

  ClientAddress next(SplittableRandom rng);
}
