package dev.distillguard.detector.features;

import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeyIndex;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.PaneTally;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The detector's internal records in exactly the bytes Flink's {@code AvroSerializer} writes for them,
 * written and read field by field instead of by Avro's schema walk: panes (as state, and frozen to be read
 * in place, {@link FrozenPane}), key indexes, and calls as they cross a shuffle (and, in a BATCH backfill,
 * Flink's sort). The heap state backend
 * writes every pane of the window at every checkpoint; through Avro each map key became a new byte array and
 * each field a call down the checkpoint stream, and that was most of the checkpoint threads' CPU; a call's
 * nullable fields cost Avro's writer a union lookup by schema name each, which with the writing of calls
 * into BATCH sort buffers was a fifth of a backfill's CPU (docs/performance.md, "Changes measured"). A test
 * holds these bytes to {@code AvroSerializer}'s for random records, hash-ordered maps, nulls, non-ASCII
 * names and counts past one byte; a field added to a schema fails it.
 *
 * <p>Flink's Avro encoder ({@code DataOutputEncoder}) is not Avro's binary encoding: ints, longs, doubles
 * and union branch indexes are fixed-width big-endian, a boolean is one byte, a string an int length and its
 * UTF-8 bytes, and an array or map one block: its item count as a variable-length number when it has
 * items, the items (a map's key before each value), then a zero byte.
 *
 * <p>A record is put together in a buffer of this writer's own and goes down the target stream in one
 * write. One writer per thread: each serializer duplicate Flink hands a thread holds its own.
 *
 * <p>Reading gives what the pane code keeps: maps as {@link SortedArrayMap}s, int and long arrays as Avro's primitive-backed lists. Avro's own reader
 * cannot: its fast reader is off for any data model but Avro's two (so for one that makes sorted maps), and
 * its schema-walking reader was a fifth of the template operator's samples when pre-combined panes were
 * decoded through it.
 */
public final class RecordBytes {

  private final DataOutputSerializer out = new DataOutputSerializer(1024);
  private byte[] stringBytes = new byte[64];
  private final ValueWriter<Long> longs = out::writeLong;
  private final ValueWriter<Boolean> booleans = out::writeBoolean;
  private final ValueWriter<String> strings = this::writeString;
  private final ValueReader<Long> longValues = DataInputView::readLong;
  private final ValueReader<Boolean> booleanValues = DataInputView::readBoolean;
  private final ValueReader<String> stringValues = this::readString;

  public void write(Pane pane, DataOutputView target) throws IOException {
    out.clear();
    writePane(pane);
    target.write(out.getSharedBuffer(), 0, out.length());
  }

  /** A pane as state keeps it ({@link StoredPaneSerializer}): its length, then its bytes. */
  void writeSized(Pane pane, DataOutputView target) throws IOException {
    out.clear();
    writePane(pane);
    target.writeInt(out.length());
    target.write(out.getSharedBuffer(), 0, out.length());
  }

  /** A pane's bytes, to be read in place ({@link FrozenPane}). */
  byte[] freeze(Pane pane) {
    out.clear();
    try {
      writePane(pane);
    } catch (IOException e) {
      throw new IllegalStateException("a pane could not be written to memory", e);
    }
    return out.getCopyOfBuffer();
  }

  private void writePane(Pane pane) throws IOException {
    out.writeLong(pane.getStart());
    out.writeInt(pane.getCount());
    out.writeLong(pane.getPromptTokensSum());
    out.writeDouble(pane.getPromptTokensSq());
    out.writeLong(pane.getCompletionTokensSum());
    out.writeDouble(pane.getCompletionTokensSq());
    writeInts(pane.getCapabilities());
    out.writeInt(pane.getCot());
    writeInts(pane.getOffsets());
    out.writeBoolean(pane.getOffsetsTruncated());
    writeLongs(pane.getSampleRank());
    writeLongs(pane.getSampleSimhash());
    writeMap(pane.getAccounts(), longs);
    writeMap(pane.getYoungAccounts(), booleans);
    writeMap(pane.getSubnets(), longs);
    writeMap(pane.getAsns(), longs);
    writeNullableString(pane.getOrgId());
    writeMap(pane.getCountries(), longs);
    writeMap(pane.getAccountPayments(), strings);
    out.writeBoolean(pane.getMembersTruncated());
    writeInts(pane.getMemberLevels());
  }

  /** A call on its way through a shuffle: the schema's fields in order. */
  public void write(CallEvent call, DataOutputView target) throws IOException {
    encode(call);
    target.write(out.getSharedBuffer(), 0, out.length());
  }

  /** A call's bytes in this writer's own buffer, good until its next use. */
  DataOutputSerializer encode(CallEvent call) {
    try {
      writeCall(call);
    } catch (IOException e) {
      throw new IllegalStateException("a call could not be written to memory", e);
    }
    return out;
  }

  private void writeCall(CallEvent call) throws IOException {
    out.clear();
    out.writeLong(call.getEventTime());
    out.writeLong(call.getRank());
    writeString(call.getAccountId());
    writeNullableString(call.getOrgId());
    writeString(call.getSubnet());
    Integer asn = call.getAsn();
    out.writeInt(asn == null ? 0 : 1);
    if (asn != null) {
      out.writeInt(asn);
    }
    writeNullableString(call.getCountry());
    writeNullableString(call.getPaymentFingerprint());
    Long age = call.getAccountAgeMs();
    out.writeInt(age == null ? 0 : 1);
    if (age != null) {
      out.writeLong(age);
    }
    out.writeInt(call.getPromptTokens());
    out.writeInt(call.getCompletionTokens());
    out.writeLong(call.getSimhash());
    out.writeInt(call.getCapability());
    out.writeBoolean(call.getCot());
  }

  public void write(KeyIndex index, DataOutputView target) throws IOException {
    out.clear();
    List<PaneTally> tallies = index.getPanes();
    writeCount(tallies.size());
    for (PaneTally tally : tallies) {
      out.writeLong(tally.getStart());
      out.writeInt(tally.getCount());
      out.writeInt(tally.getAccounts());
    }
    out.writeByte(0);
    out.writeLong(index.getTimer());
    out.writeBoolean(index.getTimerReports());
    out.writeLong(index.getPendingSince());
    target.write(out.getSharedBuffer(), 0, out.length());
  }

  /** Writes one map value. */
  @FunctionalInterface
  private interface ValueWriter<V> {
    void write(V value) throws IOException;
  }

  private <V> void writeMap(Map<String, V> map, ValueWriter<V> values) throws IOException {
    writeCount(map.size());
    if (map instanceof SortedArrayMap<V> sorted) {
      // By index: an entry view per member per checkpoint is garbage the heap job can do without.
      for (int i = 0; i < sorted.size(); i++) {
        writeString(sorted.keyAt(i));
        values.write(sorted.valueAt(i));
      }
    } else {
      for (Map.Entry<String, V> entry : map.entrySet()) {
        writeString(entry.getKey());
        values.write(entry.getValue());
      }
    }
    out.writeByte(0);
  }

  private void writeInts(List<Integer> ints) throws IOException {
    writeCount(ints.size());
    for (int i = 0; i < ints.size(); i++) {
      out.writeInt(ints.get(i));
    }
    out.writeByte(0);
  }

  private void writeLongs(List<Long> longs) throws IOException {
    writeCount(longs.size());
    for (int i = 0; i < longs.size(); i++) {
      out.writeLong(longs.get(i));
    }
    out.writeByte(0);
  }

  /** A block's item count, seven bits a byte, low bits first; an empty block has none. */
  private void writeCount(long count) throws IOException {
    if (count == 0) {
      return;
    }
    long rest = count;
    while ((rest & ~0x7FL) != 0) {
      out.writeByte((int) rest | 0x80);
      rest >>>= 7;
    }
    out.writeByte((int) rest);
  }

  /** A union ["null", "string"]: the branch's index, then the string if any. */
  private void writeNullableString(String s) throws IOException {
    out.writeInt(s == null ? 0 : 1);
    if (s != null) {
      writeString(s);
    }
  }

  /**
   * Length and UTF-8 bytes. Member names are ASCII, whose bytes are its chars: copied through an array of
   * this writer's own rather than encoded into a new one per string, which at every checkpoint was as many
   * short-lived arrays as the window holds names.
   */
  private void writeString(String s) throws IOException {
    int length = s.length();
    if (length > stringBytes.length) {
      stringBytes = new byte[Math.max(length, 2 * stringBytes.length)];
    }
    byte[] bytes = stringBytes;
    boolean isAscii = true;
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      isAscii &= c < 0x80;
      bytes[i] = (byte) c;
    }
    if (isAscii) {
      out.writeInt(length);
      out.write(bytes, 0, length);
    } else {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      out.writeInt(utf8.length);
      out.write(utf8);
    }
  }

  /** A pane as state keeps it: member maps as sorted arrays. */
  public Pane readPane(DataInputView in) throws IOException {
    return readPane(in, Panes.MemberMaps.SORTED_ARRAYS);
  }

  Pane readPane(DataInputView in, Panes.MemberMaps maps) throws IOException {
    // Arguments are evaluated left to right: the schema's field order. The all-fields constructor makes a
    // field added to the schema a compile error here.
    return new Pane(in.readLong(), in.readInt(), in.readLong(), in.readDouble(), in.readLong(), in.readDouble(),
        readInts(in), in.readInt(), readInts(in), in.readBoolean(), readLongs(in), readLongs(in),
        readMap(in, maps, longValues), readMap(in, maps, booleanValues), readMap(in, maps, longValues),
        readMap(in, maps, longValues), readNullableString(in), readMap(in, maps, longValues),
        readMap(in, maps, stringValues), in.readBoolean(), readInts(in));
  }

  public CallEvent readCallEvent(DataInputView in) throws IOException {
    // In the schema's field order, as for panes.
    return new CallEvent(in.readLong(), in.readLong(), readString(in), readNullableString(in), readString(in),
        readNullableInt(in), readNullableString(in), readNullableString(in), readNullableLong(in), in.readInt(),
        in.readInt(), in.readLong(), in.readInt(), in.readBoolean());
  }

  public KeyIndex readKeyIndex(DataInputView in) throws IOException {
    List<PaneTally> tallies = new ArrayList<>();
    for (int block = readCount(in); block != 0; block = readCount(in)) {
      for (int i = 0; i < block; i++) {
        tallies.add(new PaneTally(in.readLong(), in.readInt(), in.readInt()));
      }
    }
    return new KeyIndex(tallies, in.readLong(), in.readBoolean(), in.readLong());
  }

  /**
   * Copies {@code length} bytes from one view to another through an array: a target such as
   * {@code DataOutputSerializer} does not grow to take a view's bytes.
   */
  static void copyBytes(DataInputView source, DataOutputView target, int length) throws IOException {
    byte[] bytes = new byte[length];
    source.readFully(bytes);
    target.write(bytes);
  }

  /** Reads one map value. */
  @FunctionalInterface
  private interface ValueReader<V> {
    V read(DataInputView in) throws IOException;
  }

  private <V> Map<String, V> readMap(DataInputView in, Panes.MemberMaps maps, ValueReader<V> values)
      throws IOException {
    int block = readCount(in);
    // Sorted maps are written in key order, so each entry is appended; other bytes (Avro's writer, before,
    // or a hashed map) sort here.
    Map<String, V> map = maps.create(presize(block));
    for (; block != 0; block = readCount(in)) {
      for (int i = 0; i < block; i++) {
        map.put(readString(in), values.read(in));
      }
    }
    return map;
  }

  private static List<Integer> readInts(DataInputView in) throws IOException {
    int block = readCount(in);
    PrimitivesArrays.IntArray ints = Panes.ints(presize(block));
    for (; block != 0; block = readCount(in)) {
      for (int i = 0; i < block; i++) {
        ints.add(ints.size(), in.readInt());
      }
    }
    return ints;
  }

  private static List<Long> readLongs(DataInputView in) throws IOException {
    int block = readCount(in);
    PrimitivesArrays.LongArray longs = Panes.longs(presize(block));
    for (; block != 0; block = readCount(in)) {
      for (int i = 0; i < block; i++) {
        longs.add(longs.size(), in.readLong());
      }
    }
    return longs;
  }

  /** Room for a block, but not for whatever count corrupt bytes claim before they run out. */
  private static int presize(int block) {
    return Math.min(block, 1 << 14);
  }

  /** The next block's item count; 0 ends the array or map. */
  private static int readCount(DataInputView in) throws IOException {
    long count = 0;
    int shift = 0;
    int b;
    do {
      if (shift > 63) {
        throw new IOException("block count longer than 64 bits: corrupt Avro bytes");
      }
      b = in.readUnsignedByte();
      count |= (long) (b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    if (count > Integer.MAX_VALUE) {
      throw new IOException("block of " + count + " items: corrupt Avro bytes");
    }
    return (int) count;
  }

  private String readNullableString(DataInputView in) throws IOException {
    return isNull(in, "string") ? null : readString(in);
  }

  private static Integer readNullableInt(DataInputView in) throws IOException {
    return isNull(in, "int") ? null : in.readInt();
  }

  private static Long readNullableLong(DataInputView in) throws IOException {
    return isNull(in, "long") ? null : in.readLong();
  }

  /** Reads the branch of a union ["null", type]. */
  private static boolean isNull(DataInputView in, String type) throws IOException {
    int branch = in.readInt();
    return switch (branch) {
      case 0 -> true;
      case 1 -> false;
      default -> throw new IOException("union branch " + branch + " of [null, " + type + "]: corrupt Avro bytes");
    };
  }

  private String readString(DataInputView in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      throw new IOException("string of length " + length + ": corrupt Avro bytes");
    }
    if (length > stringBytes.length) {
      stringBytes = new byte[Math.max(length, 2 * stringBytes.length)];
    }
    in.readFully(stringBytes, 0, length);
    return new String(stringBytes, 0, length, StandardCharsets.UTF_8);
  }
}
