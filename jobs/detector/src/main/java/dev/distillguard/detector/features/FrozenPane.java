package dev.distillguard.detector.features;

import dev.distillguard.detector.model.Pane;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputDeserializer;

/**
 * A pane no call will change any more, held as its bytes (the pane's Avro encoding as {@link RecordBytes}
 * writes it) and read in place. Immutable, so the heap state backend neither copies it on write nor encodes
 * it again at each checkpoint, and the collector sees one array instead of a pane's lists, maps and boxes.
 * A window's features are computed from frozen panes ({@link WindowCalculator}): scalars and samples are
 * read where they lie, and a member's name is decoded only when the window needs it (a template bucket's
 * members near its template, not the thousands that met it by chance).
 *
 * <p>Layout: ints, longs and doubles fixed-width big-endian, a boolean one byte, a string its int length and
 * UTF-8 bytes, an array or map one block (a variable-length item count when it has items, the items, a zero
 * byte). Where the variable-length fields begin is found on first read and kept.
 */
public final class FrozenPane implements StoredPane {

  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** The fixed-width fields at the front, in schema order. */
  private static final int START = 0;
  private static final int COUNT = 8;
  private static final int PROMPT_SUM = 12;
  private static final int PROMPT_SQ = 20;
  private static final int COMPLETION_SUM = 28;
  private static final int COMPLETION_SQ = 36;
  private static final int CAPABILITIES = 44;

  /** Variable-length fields, in schema order: each has where its items (or its value) start and how many. */
  private static final int F_CAPABILITIES = 0;
  private static final int F_COT = 1;
  private static final int F_OFFSETS = 2;
  private static final int F_OFFSETS_TRUNCATED = 3;
  private static final int F_SAMPLE_RANK = 4;
  private static final int F_SAMPLE_SIMHASH = 5;
  private static final int F_ACCOUNTS = 6;
  private static final int F_YOUNG = 7;
  private static final int F_SUBNETS = 8;
  private static final int F_ASNS = 9;
  private static final int F_ORG = 10;
  private static final int F_COUNTRIES = 11;
  private static final int F_PAYMENTS = 12;
  private static final int F_MEMBERS_TRUNCATED = 13;
  private static final int F_LEVELS = 14;
  private static final int FIELDS = 15;

  /** A map's value type, which says how far to step over one. */
  static final int LONG_VALUES = 0;
  static final int BOOLEAN_VALUES = 1;
  static final int STRING_VALUES = 2;

  private final byte[] bytes;
  /** Where each variable-length field starts, then its item count; null until first read. */
  private int[] fields;

  private FrozenPane(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A pane frozen as it is now; the pane itself may go on changing, this will not. */
  public static FrozenPane of(Pane pane, RecordBytes writer) {
    return new FrozenPane(writer.freeze(pane));
  }

  /** A pane from the bytes {@link RecordBytes} wrote for it, kept (not copied). */
  static FrozenPane ofBytes(byte[] bytes) {
    return new FrozenPane(bytes);
  }

  byte[] bytes() {
    return bytes;
  }

  /** The pane as an object again, to add calls to (a late call into a pane already frozen, or restored). */
  public Pane thaw(RecordBytes reader) {
    return thaw(reader, Panes.MemberMaps.SORTED_ARRAYS);
  }

  Pane thaw(RecordBytes reader, Panes.MemberMaps maps) {
    try {
      return reader.readPane(new DataInputDeserializer(bytes), maps);
    } catch (IOException e) {
      throw new IllegalStateException("corrupt frozen pane: " + e.getMessage(), e);
    }
  }

  public long start() {
    return longAt(START);
  }

  public int count() {
    return intAt(COUNT);
  }

  long promptTokensSum() {
    return longAt(PROMPT_SUM);
  }

  double promptTokensSq() {
    return Double.longBitsToDouble(longAt(PROMPT_SQ));
  }

  long completionTokensSum() {
    return longAt(COMPLETION_SUM);
  }

  double completionTokensSq() {
    return Double.longBitsToDouble(longAt(COMPLETION_SQ));
  }

  int capabilities() {
    return items(F_CAPABILITIES);
  }

  int capability(int ordinal) {
    return intAt(at(F_CAPABILITIES) + 4 * ordinal);
  }

  int cot() {
    return intAt(at(F_COT));
  }

  int offsets() {
    return items(F_OFFSETS);
  }

  int offset(int i) {
    return intAt(at(F_OFFSETS) + 4 * i);
  }

  boolean offsetsTruncated() {
    return bytes[at(F_OFFSETS_TRUNCATED)] != 0;
  }

  int sampleSize() {
    return items(F_SAMPLE_RANK);
  }

  long sampleRank(int i) {
    return longAt(at(F_SAMPLE_RANK) + 8 * i);
  }

  long sampleSimhash(int i) {
    return longAt(at(F_SAMPLE_SIMHASH) + 8 * i);
  }

  String orgId() {
    int at = at(F_ORG);
    return intAt(at) == 0 ? null : string(at + 4);
  }

  boolean membersTruncated() {
    return bytes[at(F_MEMBERS_TRUNCATED)] != 0;
  }

  /** The sampling level of a member set ({@link Panes#ACCOUNTS} and the others). */
  int memberLevel(int kind) {
    return intAt(at(F_LEVELS) + 4 * kind);
  }

  /** How many accounts the pane holds (its account member set). */
  public int accounts() {
    return items(F_ACCOUNTS);
  }

  /** Points {@code entries} at a member set ({@link Panes#ACCOUNTS} and the others): names to SimHashes. */
  void members(int kind, Entries entries) {
    int field = switch (kind) {
      case Panes.ACCOUNTS -> F_ACCOUNTS;
      case Panes.SUBNETS -> F_SUBNETS;
      case Panes.ASNS -> F_ASNS;
      case Panes.COUNTRIES -> F_COUNTRIES;
      default -> throw new IllegalArgumentException("no member set " + kind);
    };
    entries.open(bytes, at(field), items(field), LONG_VALUES);
  }

  /** Points {@code entries} at the young-account flags: account names to whether the account is young. */
  void youngAccounts(Entries entries) {
    entries.open(bytes, at(F_YOUNG), items(F_YOUNG), BOOLEAN_VALUES);
  }

  /** Points {@code entries} at the accounts' payment fingerprints. */
  void accountPayments(Entries entries) {
    entries.open(bytes, at(F_PAYMENTS), items(F_PAYMENTS), STRING_VALUES);
  }

  /** The serialized size, for a state serializer. */
  int length() {
    return bytes.length;
  }

  private int at(int field) {
    return layout()[field];
  }

  private int items(int field) {
    return layout()[FIELDS + field];
  }

  private int[] layout() {
    int[] found = fields;
    if (found == null) {
      found = scan(bytes);
      fields = found;
    }
    return found;
  }

  /**
   * Walks the bytes once and notes where each variable-length field starts. Only a pane's task reads it,
   * so the layout is kept without synchronization: at worst two reads both work it out.
   */
  private static int[] scan(byte[] b) {
    int[] f = new int[2 * FIELDS];
    try {
      int p = CAPABILITIES;
      p = fixedBlock(b, p, 4, f, F_CAPABILITIES);
      f[F_COT] = p;
      p += 4;
      p = fixedBlock(b, p, 4, f, F_OFFSETS);
      f[F_OFFSETS_TRUNCATED] = p;
      p += 1;
      p = fixedBlock(b, p, 8, f, F_SAMPLE_RANK);
      p = fixedBlock(b, p, 8, f, F_SAMPLE_SIMHASH);
      p = mapBlock(b, p, LONG_VALUES, f, F_ACCOUNTS);
      p = mapBlock(b, p, BOOLEAN_VALUES, f, F_YOUNG);
      p = mapBlock(b, p, LONG_VALUES, f, F_SUBNETS);
      p = mapBlock(b, p, LONG_VALUES, f, F_ASNS);
      f[F_ORG] = p;
      int branch = (int) INT.get(b, p);
      p += 4;
      if (branch == 1) {
        p += 4 + (int) INT.get(b, p);
      } else if (branch != 0) {
        throw new IllegalStateException("org_id union branch " + branch);
      }
      p = mapBlock(b, p, LONG_VALUES, f, F_COUNTRIES);
      p = mapBlock(b, p, STRING_VALUES, f, F_PAYMENTS);
      f[F_MEMBERS_TRUNCATED] = p;
      p += 1;
      p = fixedBlock(b, p, 4, f, F_LEVELS);
      if (p != b.length) {
        throw new IllegalStateException((b.length - p) + " bytes after the last field");
      }
    } catch (IndexOutOfBoundsException e) {
      throw new IllegalStateException("corrupt frozen pane: its fields run past its " + b.length + " bytes", e);
    }
    return f;
  }

  /** An array of fixed-width items: one block (or none), then its end. Returns the position after it. */
  private static int fixedBlock(byte[] b, int p, int width, int[] f, int field) {
    long countAndLength = count(b, p);
    int count = (int) countAndLength;
    p += (int) (countAndLength >>> 32);
    f[field] = p;
    f[FIELDS + field] = count;
    if (count == 0) {
      return p;
    }
    p += count * width;
    return endOfBlocks(b, p);
  }

  private static int mapBlock(byte[] b, int p, int valueKind, int[] f, int field) {
    long countAndLength = count(b, p);
    int count = (int) countAndLength;
    p += (int) (countAndLength >>> 32);
    f[field] = p;
    f[FIELDS + field] = count;
    if (count == 0) {
      return p;
    }
    for (int i = 0; i < count; i++) {
      p += 4 + (int) INT.get(b, p);
      p += valueWidth(b, p, valueKind);
    }
    return endOfBlocks(b, p);
  }

  private static int endOfBlocks(byte[] b, int p) {
    if (b[p] != 0) {
      // RecordBytes writes an array or map as one block; bytes of another writer may split one.
      throw new IllegalStateException("an array or map of more than one block at byte " + p);
    }
    return p + 1;
  }

  /** A block count (low 32 bits) and how many bytes it took (high 32 bits); 0 counts end a block list. */
  private static long count(byte[] b, int p) {
    long count = 0;
    int shift = 0;
    int length = 0;
    int v;
    do {
      if (shift > 28) {
        throw new IllegalStateException("block count longer than 32 bits at byte " + p);
      }
      v = b[p + length++];
      count |= (long) (v & 0x7F) << shift;
      shift += 7;
    } while ((v & 0x80) != 0);
    if (count > Integer.MAX_VALUE) {
      throw new IllegalStateException("block of " + count + " items at byte " + p);
    }
    return ((long) length << 32) | count;
  }

  static int valueWidth(byte[] b, int p, int valueKind) {
    return switch (valueKind) {
      case LONG_VALUES -> 8;
      case BOOLEAN_VALUES -> 1;
      default -> 4 + (int) INT.get(b, p);
    };
  }

  private int intAt(int p) {
    return (int) INT.get(bytes, p);
  }

  private long longAt(int p) {
    return (long) LONG.get(bytes, p);
  }

  private String string(int p) {
    return new String(bytes, p + 4, (int) INT.get(bytes, p), StandardCharsets.UTF_8);
  }

  /**
   * A 64-bit hash of a name's UTF-8 bytes, the same for the name as a string ({@link #nameHash(String)}) and
   * in place ({@link Entries#keyHash()}): a frozen map's keys are matched against a few names without
   * decoding the others.
   */
  static long nameHash(String name) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 0x80) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        return nameHash(utf8, 0, utf8.length);
      }
      h = (h ^ c) * 0x100000001b3L;
    }
    return h;
  }

  static long nameHash(byte[] b, int from, int length) {
    long h = 0xcbf29ce484222325L;
    for (int i = from; i < from + length; i++) {
      h = (h ^ (b[i] & 0xff)) * 0x100000001b3L;
    }
    return h;
  }

  /** Walks one of a frozen pane's maps entry by entry, keys left as bytes until asked for. Reusable. */
  static final class Entries {
    private byte[] b;
    private int next;
    private int left;
    private int valueKind;
    private int keyAt;
    private int keyLength;
    private int valueAt;

    void open(byte[] bytes, int at, int count, int kind) {
      b = bytes;
      next = at;
      left = count;
      valueKind = kind;
    }

    /** Steps to the next entry; false when there is none. */
    boolean next() {
      if (left == 0) {
        return false;
      }
      left--;
      keyLength = (int) INT.get(b, next);
      keyAt = next + 4;
      valueAt = keyAt + keyLength;
      next = valueAt + valueWidth(b, valueAt, valueKind);
      return true;
    }

    String key() {
      return new String(b, keyAt, keyLength, StandardCharsets.UTF_8);
    }

    long keyHash() {
      return nameHash(b, keyAt, keyLength);
    }

    long longValue() {
      return (long) LONG.get(b, valueAt);
    }

    boolean booleanValue() {
      return b[valueAt] != 0;
    }

    String stringValue() {
      return new String(b, valueAt + 4, (int) INT.get(b, valueAt), StandardCharsets.UTF_8);
    }
  }
}
