package dev.distillguard.simulate.network;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A deterministic model of the public internet as an API gateway sees it: residential ISPs, hosting
 * providers, enterprise and university networks, each with its own ASN, country and public address
 * space. Address space is drawn from public unicast IPv4 only, and no /16 belongs to two providers.
 *
 * <p>The internet is the same for every scenario and seed ({@link #standard()}): the seed decides who
 * uses which addresses, not which networks exist.
 */
public final class Internet {

  /** Residential ISPs per country and the country's share of home users, in percent. */
  private static final Object[][] RESIDENTIAL = {
      {"US", 4, 22}, {"IN", 3, 9}, {"BR", 2, 6}, {"DE", 3, 6}, {"GB", 3, 6}, {"FR", 2, 5}, {"JP", 2, 5},
      {"MX", 2, 3}, {"ES", 2, 3}, {"IT", 2, 3}, {"CA", 2, 3}, {"KR", 1, 3}, {"ID", 2, 3}, {"TR", 1, 2},
      {"PL", 1, 2}, {"AU", 1, 2}, {"NL", 1, 2}, {"VN", 1, 2}, {"NG", 1, 2}, {"SE", 1, 1}, {"AR", 1, 2},
  };
  private static final String[] HOSTING_COUNTRIES = {"US", "US", "US", "US", "DE", "DE", "NL", "NL", "SG", "GB",
      "FR", "JP", "HK", "RU", "FI", "CA"};
  private static final String[] ENTERPRISE_COUNTRIES = {"US", "US", "US", "DE", "GB", "JP", "FR", "IN"};
  private static final String[] EDUCATION_COUNTRIES = {"US", "US", "GB", "DE", "CA", "AU"};

  // After the tables above: static fields initialise in order.
  private static final long STANDARD_SEED = 0x1D_15_7177_6AAEL;
  private static final Internet STANDARD = generate(STANDARD_SEED);

  private final Map<ProviderKind, List<Provider>> byKind;
  private final Provider[] residential;
  private final double[] residentialCumulativeShare;

  private Internet(Map<ProviderKind, List<Provider>> byKind, double[] residentialShares) {
    this.byKind = byKind;
    this.residential = byKind.get(ProviderKind.RESIDENTIAL).toArray(Provider[]::new);
    this.residentialCumulativeShare = new double[residentialShares.length];
    double total = 0;
    for (double share : residentialShares) {
      total += share;
    }
    double sum = 0;
    for (int i = 0; i < residentialShares.length; i++) {
      sum += residentialShares[i] / total;
      residentialCumulativeShare[i] = sum;
    }
  }

  /** The internet every scenario uses. */
  public static Internet standard() {
    return STANDARD;
  }

  /** An internet of the standard shape with address space and ASNs drawn from {@code seed}. */
  public static Internet generate(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Set<Integer> usedSlash16s = new HashSet<>();
    Set<Integer> usedAsns = new HashSet<>();
    Map<ProviderKind, List<Provider>> byKind = new EnumMap<>(ProviderKind.class);
    List<Double> residentialShares = new ArrayList<>();

    List<Provider> residential = new ArrayList<>();
    for (Object[] row : RESIDENTIAL) {
      String country = (String) row[0];
      int isps = (Integer) row[1];
      for (int i = 0; i < isps; i++) {
        residential.add(provider("isp-" + country.toLowerCase() + "-" + (i + 1), country, ProviderKind.RESIDENTIAL,
            rng.nextInt(3, 9), rng, usedSlash16s, usedAsns));
        // The first ISP of a country is its incumbent, with twice the customers of each other one.
        residentialShares.add(((Integer) row[2]) * (i == 0 ? 2.0 : 1.0) / (isps + 1));
      }
    }
    byKind.put(ProviderKind.RESIDENTIAL, List.copyOf(residential));
    byKind.put(ProviderKind.HOSTING, providers("hosting", HOSTING_COUNTRIES, ProviderKind.HOSTING, 4, 11, rng,
        usedSlash16s, usedAsns));
    byKind.put(ProviderKind.ENTERPRISE, providers("corp", ENTERPRISE_COUNTRIES, ProviderKind.ENTERPRISE, 1, 2, rng,
        usedSlash16s, usedAsns));
    byKind.put(ProviderKind.EDUCATION, providers("univ", EDUCATION_COUNTRIES, ProviderKind.EDUCATION, 1, 2, rng,
        usedSlash16s, usedAsns));
    return new Internet(byKind, residentialShares.stream().mapToDouble(Double::doubleValue).toArray());
  }

  public List<Provider> providers(ProviderKind kind) {
    return byKind.get(kind);
  }

  /** A random provider of the kind, each equally likely. */
  public Provider pick(ProviderKind kind, SplittableRandom rng) {
    List<Provider> providers = byKind.get(kind);
    return providers.get(rng.nextInt(providers.size()));
  }

  /** A residential ISP, weighted by how many home users it serves. */
  public Provider pickHomeIsp(SplittableRandom rng) {
    double ticket = rng.nextDouble();
    for (int i = 0; i < residential.length; i++) {
      if (ticket < residentialCumulativeShare[i]) {
        return residential[i];
      }
    }
    return residential[residential.length - 1];
  }

  private static List<Provider> providers(String prefix, String[] countries, ProviderKind kind, int minSlash16s,
      int maxSlash16sExclusive, SplittableRandom rng, Set<Integer> usedSlash16s, Set<Integer> usedAsns) {
    List<Provider> providers = new ArrayList<>();
    for (int i = 0; i < countries.length; i++) {
      providers.add(provider(prefix + "-" + countries[i].toLowerCase() + "-" + (i + 1), countries[i], kind,
          rng.nextInt(minSlash16s, maxSlash16sExclusive), rng, usedSlash16s, usedAsns));
    }
    return List.copyOf(providers);
  }

  private static Provider provider(String name, String country, ProviderKind kind, int slash16Count,
      SplittableRandom rng, Set<Integer> usedSlash16s, Set<Integer> usedAsns) {
    int[] slash16s = new int[slash16Count];
    for (int i = 0; i < slash16Count; i++) {
      int slash16;
      do {
        slash16 = (rng.nextInt(1, 224) << 8) | rng.nextInt(256);
      } while (!AddressText.isPublicSlash16(slash16 >>> 8, slash16 & 0xff) || !usedSlash16s.add(slash16));
      slash16s[i] = slash16;
    }
    int asn;
    do {
      // Two-byte public ASNs for older networks, four-byte ones (from 131072) for the rest.
      asn = rng.nextInt(4) == 0 ? rng.nextInt(131_072, 400_000) : rng.nextInt(1_000, 64_000);
    } while (!usedAsns.add(asn));
    return new Provider(name, asn, country, kind, slash16s, ipv6Slash32(country, rng));
  }

  /** A /32 from the global unicast block of the country's regional registry (2a00::/12 is RIPE's, ...). */
  private static int ipv6Slash32(String country, SplittableRandom rng) {
    int registryBlock = switch (country) {
      case "US", "CA" -> 0x2600;
      case "BR", "MX", "AR" -> 0x2800;
      case "IN", "JP", "KR", "AU", "ID", "VN", "SG", "HK" -> 0x2400;
      case "NG" -> 0x2c00;
      default -> 0x2a00;
    };
    return ((registryBlock | rng.nextInt(16)) << 16) | rng.nextInt(1, 65_536);
  }
}
