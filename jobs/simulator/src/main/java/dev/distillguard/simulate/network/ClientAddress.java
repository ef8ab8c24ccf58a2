package dev.distillguard.simulate.network;

/** Where a call comes from, as the gateway sees it: the address and what its IP database says about it. */
public record ClientAddress(String ip, Integer asn, String country) {}
