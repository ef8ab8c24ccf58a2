package dev.distillguard.detector.features;

import java.util.Collection;

/**
 * The hashes of a few names ({@link FrozenPane#nameHash}), to tell without decoding it that a name read in
 * place is none of them. A hit may be another name with the same hash, so the caller decodes it and checks.
 */
final class NameSet {

  private final long[] slots;
  private final boolean[] used;
  private final int mask;

  NameSet(Collection<String> names) {
    int capacity = Integer.highestOneBit(Math.max(4, names.size() * 2 - 1)) << 1;
    slots = new long[capacity];
    used = new boolean[capacity];
    mask = capacity - 1;
    for (String name : names) {
      long hash = FrozenPane.nameHash(name);
      int i = slot(hash);
      while (used[i] && slots[i] != hash) {
        i = (i + 1) & mask;
      }
      slots[i] = hash;
      used[i] = true;
    }
  }

  boolean mayContain(long hash) {
    for (int i = slot(hash); used[i]; i = (i + 1) & mask) {
      if (slots[i] == hash) {
        return true;
      }
    }
    return false;
  }

  private int slot(long hash) {
    return (int) (hash ^ (hash >>> 32)) & mask;
  }
}
