package dev.distillguard.detector.features;

/**
 * Hands back one shared instance for equal immutable values (strings, boxed numbers), so that state kept
 * as objects on the heap holds a repeated value once rather than once per map entry. A template band key
 * merges partial panes decoded from the shuffle, each with its own copies of the same account, subnet and
 * network names and boxed SimHashes; kept as decoded, they were half of the live heap of the heap-state
 * job (docs/performance.md, "Garbage collection").
 *
 * <p>Bounded and lossy: one slot per hash, and a value whose slot holds another value takes the slot. A
 * miss only keeps a duplicate, never a wrong value, so callers may use it wherever equal values are
 * interchangeable. Not thread-safe: one per operator instance. The slots are allocated on first use.
 */
public final class ValueInterner {

  /** 2^18 slots, 1 MiB of references with compressed pointers: a few slides of distinct members. */
  static final int DEFAULT_SLOTS_LOG2 = 18;

  private final int slotsLog2;
  private Object[] slots;

  public ValueInterner() {
    this(DEFAULT_SLOTS_LOG2);
  }

  ValueInterner(int slotsLog2) {
    if (slotsLog2 < 1 || slotsLog2 > 30) {
      throw new IllegalArgumentException("slotsLog2 must be in 1..30, not " + slotsLog2);
    }
    this.slotsLog2 = slotsLog2;
  }

  /** The shared instance equal to {@code value} (itself if none is held); null for null. */
  @SuppressWarnings("unchecked")
  public <T> T intern(T value) {
    if (value == null) {
      return null;
    }
    if (slots == null) {
      slots = new Object[1 << slotsLog2];
    }
    // Fibonacci hashing spreads the low-entropy hash codes of short strings and small numbers over the slots.
    int slot = (value.hashCode() * 0x9E3779B9) >>> (32 - slotsLog2);
    Object held = slots[slot];
    if (held != null && held.equals(value)) {
      return (T) held;
    }
    slots[slot] = value;
    return value;
  }
}
