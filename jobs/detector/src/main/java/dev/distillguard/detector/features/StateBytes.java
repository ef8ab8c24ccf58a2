package dev.distillguard.detector.features;

import dev.distillguard.detector.model.KeyIndex;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.PaneTally;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Panes and key indexes in exactly the bytes Flink's {@code AvroSerializer} writes for them, written field
 * by field instead of by Avro's schema walk. The heap state backend writes every pane of the window at
 * every checkpoint; through Avro each map key became a new byte array and each field a call down the
 * checkpoint stream, and that was most of the checkpoint threads' CPU (docs/performance.md, "Changes
 * measured"). A test holds these bytes to {@code AvroSerializer}'s for random panes, hash-ordered maps,
 * nulls, non-ASCII names and counts past one byte; a field added to the schema fails it.
 *
 * <p>Flink's Avro encoder ({@code DataOutputEncoder}) is not Avro's binary encoding: ints, longs, doubles
 * and union branch indexes are fixed-width big-endian, a boolean is one byte, a string an int length and its
 * UTF-8 bytes, and an array or map one block: its item count as a variable-length number when it has
 * items, the items (a map's key before each value), then a zero byte.
 */
public final class StateBytes {

  private StateBytes() {}

  public static void write(Pane pane, DataOutputSerializer out) throws IOException {
    out.writeLong(pane.getStart());
    out.writeInt(pane.getCount());
    out.writeLong(pane.getPromptTokensSum());
    out.writeDouble(pane.getPromptTokensSq());
    out.writeLong(pane.getCompletionTokensSum());
    out.writeDouble(pane.getCompletionTokensSq());
    writeInts(pane.getCapabilities(), out);
    out.writeInt(pane.getCot());
    writeInts(pane.getOffsets(), out);
    out.writeBoolean(pane.getOffsetsTruncated());
    writeLongs(pane.getSampleRank(), out);
    writeLongs(pane.getSampleSimhash(), out);
    writeMap(pane.getAccounts(), out, StateBytes::writeLong);
    writeMap(pane.getYoungAccounts(), out, StateBytes::writeBoolean);
    writeMap(pane.getSubnets(), out, StateBytes::writeLong);
    writeMap(pane.getAsns(), out, StateBytes::writeLong);
    String orgId = pane.getOrgId();
    // The union ["null", "string"]: the branch's index, then the string if any.
    out.writeInt(orgId == null ? 0 : 1);
    if (orgId != null) {
      writeString(orgId, out);
    }
    writeMap(pane.getCountries(), out, StateBytes::writeLong);
    writeMap(pane.getAccountPayments(), out, StateBytes::writeString);
    out.writeBoolean(pane.getMembersTruncated());
    writeInts(pane.getMemberLevels(), out);
  }

  public static void write(KeyIndex index, DataOutputSerializer out) throws IOException {
    List<PaneTally> tallies = index.getPanes();
    writeCount(tallies.size(), out);
    for (PaneTally tally : tallies) {
      out.writeLong(tally.getStart());
      out.writeInt(tally.getCount());
      out.writeInt(tally.getAccounts());
    }
    out.writeByte(0);
    out.writeLong(index.getTimer());
    out.writeBoolean(index.getTimerReports());
  }

  /** Writes one map value. */
  @FunctionalInterface
  private interface ValueWriter<V> {
    void write(V value, DataOutputSerializer out) throws IOException;
  }

  private static <V> void writeMap(Map<String, V> map, DataOutputSerializer out, ValueWriter<V> values)
      throws IOException {
    writeCount(map.size(), out);
    if (map instanceof SortedArrayMap<V> sorted) {
      // By index: an entry view per member per checkpoint is garbage the heap job can do without.
      for (int i = 0; i < sorted.size(); i++) {
        writeString(sorted.keyAt(i), out);
        values.write(sorted.valueAt(i), out);
      }
    } else {
      for (Map.Entry<String, V> entry : map.entrySet()) {
        writeString(entry.getKey(), out);
        values.write(entry.getValue(), out);
      }
    }
    out.writeByte(0);
  }

  private static void writeInts(List<Integer> ints, DataOutputSerializer out) throws IOException {
    writeCount(ints.size(), out);
    for (int i = 0; i < ints.size(); i++) {
      out.writeInt(ints.get(i));
    }
    out.writeByte(0);
  }

  private static void writeLongs(List<Long> longs, DataOutputSerializer out) throws IOException {
    writeCount(longs.size(), out);
    for (int i = 0; i < longs.size(); i++) {
      out.writeLong(longs.get(i));
    }
    out.writeByte(0);
  }

  private static void writeLong(Long value, DataOutputSerializer out) throws IOException {
    out.writeLong(value);
  }

  private static void writeBoolean(Boolean value, DataOutputSerializer out) throws IOException {
    out.writeBoolean(value);
  }

  /** A block's item count, seven bits a byte, low bits first; an empty block has none. */
  private static void writeCount(long count, DataOutputSerializer out) throws IOException {
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

  /** Length and UTF-8 bytes; member names are ASCII, which needs no encoding pass and no byte array. */
  private static void writeString(String s, DataOutputSerializer out) throws IOException {
    int length = s.length();
    for (int i = 0; i < length; i++) {
      if (s.charAt(i) >= 0x80) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
        return;
      }
    }
    out.writeInt(length);
    // Not DataOutputSerializer.writeBytes(String): in Flink 2.2.1 it moves its position on by twice the
    // length (FLINK-23598).
    for (int i = 0; i < length; i++) {
      out.writeByte(s.charAt(i));
    }
  }
}
