package dev.distillguard.detector.ingest;

import java.io.Serializable;

/**
 * Maps a client address, as the gateway writes it, to the canonical CIDR of its subnet: IPv4 to
 * {@code a.b.c.0/24} and IPv6 to {@code 2001:db8:1::/48} by default.
 *
 * <p>Parsing is strict and never touches DNS. IPv4 octets with leading zeros are rejected: some parsers
 * read them as octal, so the same text can name two different networks. An IPv4-mapped IPv6 address
 * ({@code ::ffff:198.51.100.7}) is the IPv4 client behind a dual-stack socket and is keyed as that IPv4
 * address. A zone id ({@code fe80::1%eth0}) names an interface on the gateway, not the client, and is
 * dropped; brackets ({@code [2001:db8::1]}) are accepted. Private and reserved ranges are keyed like
 * any other: behind an internal load balancer they are the only address the gateway has.
 */
public final class SubnetParser implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int ipv4Prefix;
  private final int ipv6Prefix;

  public SubnetParser(int ipv4Prefix, int ipv6Prefix) {
    if (ipv4Prefix < 8 || ipv4Prefix > 32) {
      throw new IllegalArgumentException("IPv4 prefix must be in [8, 32], was " + ipv4Prefix);
    }
    if (ipv6Prefix < 16 || ipv6Prefix > 128) {
      throw new IllegalArgumentException("IPv6 prefix must be in [16, 128], was " + ipv6Prefix);
    }
    this.ipv4Prefix = ipv4Prefix;
    this.ipv6Prefix = ipv6Prefix;
  }

  /**
   * The subnet of {@code address} in CIDR notation.
   *
   * @throws IllegalArgumentException naming what is wrong with the address
   */
  public String subnetOf(String address) {
    if (address == null || address.isEmpty()) {
      throw new IllegalArgumentException("client_ip is empty");
    }
    if (address.length() > 64) {
      throw new IllegalArgumentException("client_ip is " + address.length() + " characters long");
    }
    String text = address.trim();
    if (text.startsWith("[") && text.endsWith("]")) {
      text = text.substring(1, text.length() - 1);
    }
    if (text.indexOf(':') < 0) {
      return ipv4Cidr(parseIpv4(text, address), ipv4Prefix);
    }
    int zone = text.indexOf('%');
    if (zone >= 0) {
      text = text.substring(0, zone);
    }
    long[] words = parseIpv6(text, address);
    if (words[0] == 0 && (words[1] >>> 32) == 0xffffL) {
      return ipv4Cidr((int) words[1], ipv4Prefix);
    }
    return ipv6Cidr(words, ipv6Prefix);
  }

  static int parseIpv4(String text, String original) {
    int value = 0;
    int octets = 0;
    int i = 0;
    int n = text.length();
    while (i <= n) {
      int start = i;
      int octet = 0;
      while (i < n && text.charAt(i) != '.') {
        char c = text.charAt(i);
        if (c < '0' || c > '9') {
          throw new IllegalArgumentException("client_ip '" + original + "' is not an IPv4 or IPv6 address");
        }
        octet = octet * 10 + (c - '0');
        if (octet > 255 || i - start >= 3) {
          throw new IllegalArgumentException("client_ip '" + original + "' has an IPv4 octet out of range");
        }
        i++;
      }
      int length = i - start;
      if (length == 0) {
        throw new IllegalArgumentException("client_ip '" + original + "' has an empty IPv4 octet");
      }
      if (length > 1 && text.charAt(start) == '0') {
        throw new IllegalArgumentException(
            "client_ip '" + original + "' has an IPv4 octet with a leading zero (octal or decimal?)");
      }
      value = (value << 8) | octet;
      octets++;
      i++;
    }
    if (octets != 4) {
      throw new IllegalArgumentException("client_ip '" + original + "' does not have four IPv4 octets");
    }
    return value;
  }

  /** The address as two 64-bit words, most significant first. */
  static long[] parseIpv6(String text, String original) {
    int[] groups = new int[8];
    int count = 0;
    int gap = -1;
    int i = 0;
    int n = text.length();
    if (text.startsWith("::")) {
      gap = 0;
      i = 2;
    } else if (text.startsWith(":")) {
      throw invalidIpv6(original);
    }
    while (i < n) {
      int start = i;
      while (i < n && text.charAt(i) != ':' && text.charAt(i) != '.') {
        i++;
      }
      if (i < n && text.charAt(i) == '.') {
        // Embedded IPv4 tail, as in ::ffff:198.51.100.7: it fills the last two groups.
        if (count > 6) {
          throw invalidIpv6(original);
        }
        int v4 = parseIpv4(text.substring(start), original);
        groups[count++] = v4 >>> 16;
        groups[count++] = v4 & 0xffff;
        i = n;
        break;
      }
      int length = i - start;
      if (length == 0 || length > 4 || count == 8) {
        throw invalidIpv6(original);
      }
      int group = 0;
      for (int j = start; j < i; j++) {
        int digit = Character.digit(text.charAt(j), 16);
        if (digit < 0) {
          throw invalidIpv6(original);
        }
        group = (group << 4) | digit;
      }
      groups[count++] = group;
      if (i < n) {
        i++; // the ':'
        if (i < n && text.charAt(i) == ':') {
          if (gap >= 0) {
            throw invalidIpv6(original);
          }
          gap = count;
          i++;
        } else if (i == n) {
          throw invalidIpv6(original);
        }
      }
    }
    int[] full = new int[8];
    if (gap >= 0) {
      if (count > 7) {
        throw invalidIpv6(original);
      }
      int tail = count - gap;
      System.arraycopy(groups, 0, full, 0, gap);
      System.arraycopy(groups, gap, full, 8 - tail, tail);
    } else {
      if (count != 8) {
        throw invalidIpv6(original);
      }
      full = groups;
    }
    long high = 0;
    long low = 0;
    for (int g = 0; g < 4; g++) {
      high = (high << 16) | full[g];
      low = (low << 16) | full[g + 4];
    }
    return new long[] {high, low};
  }

  private static IllegalArgumentException invalidIpv6(String original) {
    return new IllegalArgumentException("client_ip '" + original + "' is not a valid IPv6 address");
  }

  static String ipv4Cidr(int address, int prefix) {
    int masked = prefix == 0 ? 0 : address & (-1 << (32 - prefix));
    return ((masked >>> 24) & 0xff) + "." + ((masked >>> 16) & 0xff) + "." + ((masked >>> 8) & 0xff) + "."
        + (masked & 0xff) + "/" + prefix;
  }

  /** RFC 5952 text of the masked prefix: lower case, longest run of zero groups compressed. */
  static String ipv6Cidr(long[] words, int prefix) {
    long high = words[0];
    long low = words[1];
    if (prefix <= 64) {
      high &= prefix == 64 ? -1L : -1L << (64 - prefix);
      low = 0;
    } else if (prefix < 128) {
      low &= -1L << (128 - prefix);
    }
    int[] groups = new int[8];
    for (int g = 0; g < 4; g++) {
      groups[g] = (int) ((high >>> (48 - 16 * g)) & 0xffff);
      groups[g + 4] = (int) ((low >>> (48 - 16 * g)) & 0xffff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int g = 0; g < 8; ) {
      if (groups[g] != 0) {
        g++;
        continue;
      }
      int start = g;
      while (g < 8 && groups[g] == 0) {
        g++;
      }
      if (g - start > bestLength) {
        bestStart = start;
        bestLength = g - start;
      }
    }
    StringBuilder out = new StringBuilder(40);
    for (int g = 0; g < 8; g++) {
      if (g == bestStart) {
        out.append("::");
        g += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[g]));
    }
    return out.append('/').append(prefix).toString();
  }
}
