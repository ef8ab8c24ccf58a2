package dev.distillguard.detector;

import dev.distillguard.detector.features.RecordBytes;
import dev.distillguard.detector.features.SortedArrayMap;
import java.io.IOException;
import java.io.Serializable;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;

/**
 * Flink's Avro serializer for a state or shuffle record, with the record's deep copy, its encoding and its
 * decoding written by hand ({@link RecordBytes}), a state pane's maps read as {@link SortedArrayMap}s. The
 * heap state backend copies a state entry whenever it is read while a checkpoint of it is in flight
 * (copy-on-write), and Avro's schema-walking {@code deepCopy} of a pane was a quarter of the template
 * features' CPU at 2 s checkpoints; it writes every entry at every checkpoint, and Avro's writer was most of
 * the checkpoint threads' CPU; the RocksDB backend and the shuffle decode a pane at every access. Maps read
 * as sorted arrays hold a fraction of the heap hash maps do and copy as arrays (docs/performance.md,
 * "Changes measured"). Bytes and snapshot are Avro's own, so savepoints do not change: a savepoint written
 * by the plain Avro serializer restores here and the other way round.
 *
 * @param <T> the state or shuffle record
 */
public final class HandCodedAvroSerializer<T extends SpecificRecord> extends TypeSerializer<T> {

  private static final long serialVersionUID = 1L;

  /** A deep copy: nothing mutable shared with the original. */
  @FunctionalInterface
  public interface DeepCopy<T> extends UnaryOperator<T>, Serializable {}

  /** Writes a record with {@code bytes} in exactly the bytes Flink's {@link AvroSerializer} writes for it. */
  @FunctionalInterface
  public interface Encoding<T> extends Serializable {
    void write(RecordBytes bytes, T record, DataOutputView target) throws IOException;
  }

  /** Reads a record with {@code bytes} from the bytes Flink's {@link AvroSerializer} writes for it. */
  @FunctionalInterface
  public interface Decoding<T> extends Serializable {
    T read(RecordBytes bytes, DataInputView source) throws IOException;
  }

  private final AvroSerializer<T> avro;
  private final DeepCopy<T> copy;
  private final Encoding<T> encoding;
  private final Decoding<T> decoding;
  private transient RecordBytes bytes;

  public HandCodedAvroSerializer(Class<T> type, DeepCopy<T> copy, Encoding<T> encoding, Decoding<T> decoding) {
    this(new AvroSerializer<>(type), copy, encoding, decoding);
  }

  private HandCodedAvroSerializer(AvroSerializer<T> avro, DeepCopy<T> copy, Encoding<T> encoding,
      Decoding<T> decoding) {
    this.avro = avro;
    this.copy = copy;
    this.encoding = encoding;
    this.decoding = decoding;
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<T> duplicate() {
    // Avro's serializer and this one's RecordBytes hold buffers that one thread at a time may use.
    return new HandCodedAvroSerializer<>((AvroSerializer<T>) avro.duplicate(), copy, encoding, decoding);
  }

  @Override
  public T createInstance() {
    return avro.createInstance();
  }

  @Override
  public T copy(T from) {
    return copy.apply(from);
  }

  @Override
  public T copy(T from, T reuse) {
    return copy.apply(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(T record, DataOutputView target) throws IOException {
    encoding.write(bytes(), record, target);
  }

  /**
   * Reads with the record's own schema: Flink migrates state written with another schema through the
   * serializer restored from its snapshot, so this one only meets bytes of the current schema.
   */
  @Override
  public T deserialize(DataInputView source) throws IOException {
    return decoding.read(bytes(), source);
  }

  private RecordBytes bytes() {
    if (bytes == null) {
      bytes = new RecordBytes();
    }
    return bytes;
  }

  @Override
  public T deserialize(T reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  /** Through the hand-coded reading and writing: a BATCH sort spills records this way. */
  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public TypeSerializerSnapshot<T> snapshotConfiguration() {
    return avro.snapshotConfiguration();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HandCodedAvroSerializer<?> that && avro.equals(that.avro);
  }

  @Override
  public int hashCode() {
    return avro.hashCode();
  }

  @Override
  public String toString() {
    return "HandCodedAvroSerializer{" + avro + "}";
  }
}
