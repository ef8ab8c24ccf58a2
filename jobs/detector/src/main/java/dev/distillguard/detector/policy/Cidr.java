package dev.distillguard.detector.policy;

import java.io.Serializable;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation, for allowlists and denylists. Parsing never resolves names:
 * only literal addresses are accepted.
 */
public record Cidr(byte[] network, int prefix) implements Serializable {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]+(:\\d{1,3}(\\.\\d{1,3}){3})?");

  /** Parses {@code a.b.c.d/n} or {@code v6/n}; host bits must be zero, as the detector writes subnets. */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR (address/prefix)");
    }
    String address = text.substring(0, slash);
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no numeric prefix length");
    }
    byte[] bytes = literal(address, text);
    if (prefix < 0 || prefix > bytes.length * 8) {
      throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bytes.length * 8);
    }
    byte[] masked = mask(bytes, prefix);
    if (!Arrays.equals(masked, bytes)) {
      throw new IllegalArgumentException("'" + text + "' has host bits set");
    }
    return new Cidr(masked, prefix);
  }

  /** Whether {@code other} lies inside this network (same family, at least as long a prefix). */
  public boolean contains(Cidr other) {
    return other.network.length == network.length && other.prefix >= prefix
        && Arrays.equals(mask(other.network, prefix), network);
  }

  private static byte[] literal(String address, String text) {
    try {
      if (IPV4.matcher(address).matches()) {
        byte[] out = new byte[4];
        String[] parts = address.split("\\.");
        for (int i = 0; i < 4; i++) {
          int octet = Integer.parseInt(parts[i]);
          if (octet > 255 || (parts[i].length() > 1 && parts[i].startsWith("0"))) {
            throw new IllegalArgumentException("'" + text + "' has an octet out of range or with leading zeros");
          }
          out[i] = (byte) octet;
        }
        return out;
      }
      if (IPV6.matcher(address).matches() && address.contains(":")) {
        return java.net.InetAddress.getByName(address).getAddress();
      }
    } catch (java.net.UnknownHostException e) {
      // fall through: not a literal
    }
    throw new IllegalArgumentException("'" + text + "' is not a literal IPv4 or IPv6 network");
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int bits = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - bits)));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefix;
  }

  @Override
  public String toString() {
    try {
      return java.net.InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (java.net.UnknownHostException e) {
      return new BigInteger(1, network).toString(16) + "/" + prefix;
    }
  }
}
