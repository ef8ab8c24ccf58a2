package dev.distillguard.simulate.network;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/** The standard ways accounts reach the API. */
public final class AddressPlans {

  /** Share of home users on IPv6. */
  public static final double HOME_IPV6_SHARE = 0.05;
  /** Chance per request that a home connection got a new address since the last one (DHCP, reconnects). */
  public static final double HOME_READDRESS_PER_REQUEST = 0.005;

  private AddressPlans() {}

  /**
   * Home broadband: each account at one household of a residential ISP, with a stable address in one
   * /24 that now and then changes; {@value #HOME_IPV6_SHARE} of households use IPv6.
   */
  public static AddressPlan homeBroadband() {
    return new Plan(false, (internet, rng) -> accountRng ->
        new HomeConnection(internet.pickHomeIsp(accountRng), accountRng.nextDouble() < HOME_IPV6_SHARE, accountRng));
  }

  /** A company network: every account behind {@code addresses} NAT egress addresses in {@code subnets} /24s. */
  public static AddressPlan corporateNat(int addresses, int subnets) {
    return new Plan(true, (internet, rng) -> {
      Provider network = internet.pick(ProviderKind.ENTERPRISE, rng);
      AddressSource egress = randomOf(spread(List.of(network), subnets, addresses, rng));
      return accountRng -> egress;
    });
  }

  /** A campus network: every account on one /24, each device with its own stable address in it. */
  public static AddressPlan campusSubnet() {
    return new Plan(true, (internet, rng) -> {
      Provider campus = internet.pick(ProviderKind.EDUCATION, rng);
      int slash24 = campus.randomSlash24(rng);
      return accountRng -> {
        ClientAddress device = campus.randomIpv4In(slash24, accountRng);
        return r -> device;
      };
    });
  }

  /** Each account's own servers: {@code addresses} addresses in one hosting /24 of its own. */
  public static AddressPlan serverBlock(int addresses) {
    return new Plan(false, (internet, rng) -> accountRng -> {
      Provider host = internet.pick(ProviderKind.HOSTING, accountRng);
      return randomOf(spread(List.of(host), 1, addresses, accountRng));
    });
  }

  /**
   * The egress of a legitimate API reseller: {@code addresses} addresses over {@code subnets} /24s at
   * {@code asns} hosting providers, every account's requests leaving through any of them.
   */
  public static AddressPlan egressPool(int addresses, int subnets, int asns) {
    return new Plan(true, (internet, rng) -> {
      AddressSource egress = randomOf(spread(distinctProviders(internet, asns, 1, false, rng), subnets, addresses, rng));
      return accountRng -> egress;
    });
  }

  /**
   * A rotating proxy service: every request leaves from a random host in one of {@code subnets} /24s,
   * spread over {@code asns} hosting and residential networks in at least {@code countries} countries.
   */
  public static AddressPlan rotatingProxyPool(int subnets, int asns, int countries) {
    return new Plan(true, (internet, rng) -> {
      List<Provider> providers = distinctProviders(internet, asns, countries, true, rng);
      Set<Integer> seen = new HashSet<>();
      Provider[] owners = new Provider[subnets];
      int[] slash24s = new int[subnets];
      for (int i = 0; i < subnets; i++) {
        Provider provider = providers.get(i % providers.size());
        int slash24;
        do {
          slash24 = provider.randomSlash24(rng);
        } while (!seen.add(slash24));
        owners[i] = provider;
        slash24s[i] = slash24;
      }
      AddressSource pool = r -> {
        int i = r.nextInt(subnets);
        return owners[i].randomIpv4In(slash24s[i], r);
      };
      return accountRng -> pool;
    });
  }

  /**
   * A residential proxy service: every request exits through a different household, anywhere on any
   * residential ISP, so nearly every request comes from a /24 not seen before.
   */
  public static AddressPlan residentialRotation() {
    return new Plan(true, (internet, rng) -> {
      AddressSource exits = r -> {
        Provider isp = internet.pickHomeIsp(r);
        return isp.randomIpv4In(isp.randomSlash24(r), r);
      };
      return accountRng -> exits;
    });
  }

  /** A plan from its sharing flag and its preparation. */
  private record Plan(boolean shared, Preparation preparation) implements AddressPlan {
    @Override
    public Assigner prepare(Internet internet, SplittableRandom rng) {
      return preparation.prepare(internet, rng);
    }
  }

  @FunctionalInterface
  private interface Preparation {
    AddressPlan.Assigner prepare(Internet internet, SplittableRandom rng);
  }

  /** A household's connection: one address that is occasionally replaced by another of the same ISP. */
  private static final class HomeConnection implements AddressSource {
    private final Provider isp;
    private final boolean ipv6;
    private ClientAddress current;

    HomeConnection(Provider isp, boolean ipv6, SplittableRandom rng) {
      this.isp = isp;
      this.ipv6 = ipv6;
      this.current = fresh(rng);
    }

    @Override
    public ClientAddress next(SplittableRandom rng) {
      if (rng.nextDouble() < HOME_READDRESS_PER_REQUEST) {
        current = fresh(rng);
      }
      return current;
    }

    private ClientAddress fresh(SplittableRandom rng) {
      return ipv6
          ? isp.ipv6(isp.randomIpv6Slash64(rng), rng.nextLong())
          : isp.randomIpv4In(isp.randomSlash24(rng), rng);
    }
  }

  /** {@code addresses} distinct addresses over {@code subnets} distinct /24s of the providers, round robin. */
  private static List<ClientAddress> spread(List<Provider> providers, int subnets, int addresses,
      SplittableRandom rng) {
    if (subnets < 1 || addresses < subnets) {
      throw new IllegalArgumentException(addresses + " addresses cannot fill " + subnets + " subnets");
    }
    List<Integer> slash24s = new ArrayList<>();
    List<Provider> owners = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < subnets; i++) {
      Provider provider = providers.get(i % providers.size());
      int slash24;
      do {
        slash24 = provider.randomSlash24(rng);
      } while (!seen.add(slash24));
      slash24s.add(slash24);
      owners.add(provider);
    }
    Set<ClientAddress> result = new LinkedHashSet<>();
    while (result.size() < addresses) {
      int i = result.size() % subnets;
      result.add(owners.get(i).randomIpv4In(slash24s.get(i), rng));
    }
    return List.copyOf(result);
  }

  /**
   * {@code count} distinct providers, hosting ones (and residential ones too when asked), covering at
   * least {@code countries} countries where there are enough.
   */
  private static List<Provider> distinctProviders(Internet internet, int count, int countries,
      boolean includeResidential, SplittableRandom rng) {
    List<Provider> candidates = new ArrayList<>(internet.providers(ProviderKind.HOSTING));
    if (includeResidential) {
      candidates.addAll(internet.providers(ProviderKind.RESIDENTIAL));
    }
    if (count > candidates.size()) {
      throw new IllegalArgumentException("only " + candidates.size() + " networks to choose " + count + " from");
    }
    Collections.shuffle(candidates, new Random(rng.nextLong()));
    List<Provider> chosen = new ArrayList<>();
    Set<String> countriesChosen = new HashSet<>();
    for (Provider p : candidates) {
      if (countriesChosen.size() < countries && countriesChosen.add(p.country())) {
        chosen.add(p);
      }
    }
    for (Provider p : candidates) {
      if (chosen.size() >= count) {
        break;
      }
      if (!chosen.contains(p)) {
        chosen.add(p);
      }
    }
    return List.copyOf(chosen.subList(0, count));
  }

  private static AddressSource randomOf(List<ClientAddress> addresses) {
    ClientAddress[] choices = addresses.toArray(ClientAddress[]::new);
    return rng -> choices[rng.nextInt(choices.length)];
  }
}
