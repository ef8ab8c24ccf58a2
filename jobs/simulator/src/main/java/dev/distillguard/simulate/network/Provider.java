package dev.distillguard.simulate.network;

import java.util.SplittableRandom;

/**
 * One network operator: its autonomous system number, the country its address space is registered
 * in, and its address space: a few IPv4 /16s (so 256 /24 blocks each) and one IPv6 /32.
 */
public final class Provider {

  private final String name;
  private final Integer asn;
  private final String country;
  private final ProviderKind kind;
  private final int[] slash16s;
  private final int ipv6Slash32;

  Provider(String name, int asn, String country, ProviderKind kind, int[] slash16s, int ipv6Slash32) {
    this.name = name;
    this.asn = asn;
    this.country = country;
    this.kind = kind;
    this.slash16s = slash16s.clone();
    this.ipv6Slash32 = ipv6Slash32;
  }

  public String name() {
    return name;
  }

  public int asn() {
    return asn;
  }

  public String country() {
    return country;
  }

  public ProviderKind kind() {
    return kind;
  }

  /** The provider's IPv4 /16s, each as its top 16 bits. */
  public int[] slash16s() {
    return slash16s.clone();
  }

  /** A random /24 of this provider, as the top 24 bits of its addresses. */
  public int randomSlash24(SplittableRandom rng) {
    return (slash16s[rng.nextInt(slash16s.length)] << 8) | rng.nextInt(256);
  }

  /** Host {@code host} (1..254) of the /24 {@code slash24}. */
  public ClientAddress ipv4(int slash24, int host) {
    return new ClientAddress(AddressText.ipv4((slash24 << 8) | host), asn, country);
  }

  /** A random host address (1..254) in the /24 {@code slash24}. */
  public ClientAddress randomIpv4In(int slash24, SplittableRandom rng) {
    return ipv4(slash24, randomHost(rng));
  }

  /** A random customer /64 in the provider's IPv6 /32, as the address's top 64 bits. */
  public long randomIpv6Slash64(SplittableRandom rng) {
    return ((long) ipv6Slash32 << 32) | (rng.nextInt() & 0xffffffffL);
  }

  public ClientAddress ipv6(long slash64, long interfaceId) {
    return new ClientAddress(AddressText.ipv6(slash64, interfaceId), asn, country);
  }

  static int randomHost(SplittableRandom rng) {
    return rng.nextInt(1, 255);
  }

  @Override
  public String toString() {
    return name + " (AS" + asn + ", " + country + ", " + kind + ")";
  }
}
