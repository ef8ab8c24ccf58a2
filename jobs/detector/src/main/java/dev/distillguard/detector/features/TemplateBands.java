package dev.distillguard.detector.features;

import java.io.Serializable;

/**
 * Locality-sensitive keys for prompt templates: the 64-bit SimHash cut into {@code bands} bands of
 * {@code 64 / bands} bits. Two prompts within {@code bands - 1} bits of each other agree on at least one
 * whole band (pigeonhole), so they meet under that band's key. More bands catch looser paraphrases but
 * shorten the keys, and short keys collect unrelated prompts by chance: 4 bands of 16 bits meet every
 * pair within 3 bits, and an unrelated prompt shares a given key with probability 2^-16.
 */
public final class TemplateBands implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int bands;
  private final int bitsPerBand;

  public TemplateBands(int bands) {
    if (bands < 2 || bands > 16) {
      throw new IllegalArgumentException("template bands must be in [2, 16], was " + bands);
    }
    this.bands = bands;
    this.bitsPerBand = 64 / bands;
  }

  public int bands() {
    return bands;
  }

  /** The key of band {@code band} of {@code simhash}: the band index in the high word, its bits below. */
  public long key(long simhash, int band) {
    long mask = bitsPerBand == 64 ? -1L : (1L << bitsPerBand) - 1;
    return ((long) band << 56) | ((simhash >>> (band * bitsPerBand)) & mask);
  }

  /** The key {@link #name} printed. */
  public static long parse(String name) {
    int colon = name.indexOf(':');
    if (!name.startsWith("b") || colon < 2) {
      throw new IllegalArgumentException("not a template key: " + name);
    }
    return (Long.parseLong(name.substring(1, colon)) << 56) | Long.parseUnsignedLong(name.substring(colon + 1), 16);
  }

  /** Printable template key: {@code b2:3fa1}. */
  public static String name(long key) {
    return "b" + (key >>> 56) + ":" + Long.toHexString(key & 0x00ff_ffff_ffff_ffffL);
  }
}
