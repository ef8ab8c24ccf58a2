package dev.distillguard.simulate.network;

/** Formats addresses as the gateway logs them, and knows which IPv4 space is public. */
public final class AddressText {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private AddressText() {}

  /** Dotted quad of an IPv4 address held in an int (the sign bit is the top bit of the first octet). */
  public static String ipv4(int address) {
    StringBuilder text = new StringBuilder(15);
    text.append(address >>> 24).append('.')
        .append((address >>> 16) & 0xff).append('.')
        .append((address >>> 8) & 0xff).append('.')
        .append(address & 0xff);
    return text.toString();
  }

  /** RFC 5952 text of an IPv6 address: lower-case hex, no leading zeros, the longest zero run as "::". */
  public static String ipv6(long high, long low) {
    int[] groups = new int[8];
    for (int i = 0; i < 4; i++) {
      groups[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
      groups[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xffff;
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder text = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      appendHex(text, groups[i]);
    }
    return text.toString();
  }

  /**
   * Whether the /16 {@code a.b.0.0} holds only public unicast space: not this-network, private,
   * carrier-grade NAT, loopback, link-local, benchmarking, documentation, multicast or reserved.
   * /16s that contain a special-purpose /24 (such as 192.0.2.0/24) are treated as non-public whole.
   */
  public static boolean isPublicSlash16(int a, int b) {
    return a >= 1 && a <= 223
        && a != 10 && a != 127
        && !(a == 100 && b >= 64 && b <= 127)
        && !(a == 169 && b == 254)
        && !(a == 172 && b >= 16 && b <= 31)
        && !(a == 192 && (b == 0 || b == 88 || b == 168))
        && !(a == 198 && (b == 18 || b == 19 || b == 51))
        && !(a == 203 && b == 0);
  }

  private static void appendHex(StringBuilder text, int group) {
    boolean started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      int digit = (group >>> shift) & 0xf;
      if (digit != 0 || started || shift == 0) {
        text.append(HEX[digit]);
        started = true;
      }
    }
  }
}
