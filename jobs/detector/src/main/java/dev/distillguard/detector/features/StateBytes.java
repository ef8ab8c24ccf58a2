package dev.distillguard.detector.features;

import dev.distillguard.detector.model.KeyIndex;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.PaneTally;
import dev.distillguard.detector.model.PartialPane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Panes, partial panes and key indexes in exactly the bytes Flink's {@code AvroSerializer} writes for them, written field
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
 *
 * <p>A record is put together in a buffer of this writer's own and goes down the checkpoint stream in one
 * write. One writer per thread: each serializer duplicate Flink hands a thread holds its own.
 */
public final class StateBytes {

  private final DataOutputSerializer out = new DataOutputSerializer(1024);
  private byte[] ascii = new byte[64];
  private final ValueWriter<Long> longs = out::writeLong;
  private final ValueWriter<Boolean> booleans = out::writeBoolean;
  private final ValueWriter<String> strings = this::writeString;

  public void write(Pane pane, DataOutputView target) throws IOException {
    out.clear();
    writePane(pane);
    target.write(out.getSharedBuffer(), 0, out.length());
  }

  /** A partial pane on its way through the shuffle: its template key, then its pane. */
  public void write(PartialPane partial, DataOutputView target) throws IOException {
    out.clear();
    out.writeLong(partial.getTemplateKey());
    writePane(partial.getPane());
    target.write(out.getSharedBuffer(), 0, out.length());
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
    String orgId = pane.getOrgId();
    // The union ["null", "string"]: the branch's index, then the string if any.
    out.writeInt(orgId == null ? 0 : 1);
    if (orgId != null) {
      writeString(orgId);
    }
    writeMap(pane.getCountries(), longs);
    writeMap(pane.getAccountPayments(), strings);
    out.writeBoolean(pane.getMembersTruncated());
    writeInts(pane.getMemberLevels());
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

  /**
   * Length and UTF-8 bytes. Member names are ASCII, whose bytes are its chars: copied through an array of
   * this writer's own rather than encoded into a new one per string, which at every checkpoint was as many
   * short-lived arrays as the window holds names.
   */
  private void writeString(String s) throws IOException {
    int length = s.length();
    if (length > ascii.length) {
      ascii = new byte[Math.max(length, 2 * ascii.length)];
    }
    byte[] bytes = ascii;
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
}
