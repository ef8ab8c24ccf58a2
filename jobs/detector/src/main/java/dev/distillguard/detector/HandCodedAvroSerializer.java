package dev.distillguard.detector;

import dev.distillguard.detector.features.SortedArrayMap;
import dev.distillguard.detector.features.StateBytes;
import java.io.IOException;
import java.io.Serializable;
import java.util.function.UnaryOperator;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.formats.avro.utils.DataInputDecoder;

/**
 * Flink's Avro serializer for a state record, with the record's deep copy and its encoding written by hand
 * and its maps read as {@link SortedArrayMap}s. The heap state backend copies a state entry whenever it is
 * read while a checkpoint of it is in flight (copy-on-write), and Avro's schema-walking {@code deepCopy} of
 * a pane was a quarter of the template features' CPU at 2 s checkpoints; it writes every entry at every
 * checkpoint, and Avro's writer was most of the checkpoint threads' CPU. Maps read as sorted arrays hold a
 * fraction of the heap hash maps do, copy as arrays, and decode as fast (docs/performance.md, "Changes
 * measured"). Bytes and snapshot are Avro's own, so savepoints do not change: a savepoint written by the
 * plain Avro serializer restores here and the other way round.
 *
 * @param <T> the state record
 */
public final class HandCodedAvroSerializer<T extends SpecificRecord> extends TypeSerializer<T> {

  private static final long serialVersionUID = 1L;

  /** A deep copy: nothing mutable shared with the original. */
  @FunctionalInterface
  public interface DeepCopy<T> extends UnaryOperator<T>, Serializable {}

  /** Writes a record with {@code writer} in exactly the bytes Flink's {@link AvroSerializer} writes for it. */
  @FunctionalInterface
  public interface Encoding<T> extends Serializable {
    void write(StateBytes writer, T record, DataOutputView target) throws IOException;
  }

  private final AvroSerializer<T> avro;
  private final DeepCopy<T> copy;
  private final Encoding<T> encoding;
  private transient DatumReader<T> reader;
  private transient DataInputDecoder decoder;
  private transient StateBytes writer;

  public HandCodedAvroSerializer(Class<T> type, DeepCopy<T> copy, Encoding<T> encoding) {
    this(new AvroSerializer<>(type), copy, encoding);
  }

  private HandCodedAvroSerializer(AvroSerializer<T> avro, DeepCopy<T> copy, Encoding<T> encoding) {
    this.avro = avro;
    this.copy = copy;
    this.encoding = encoding;
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<T> duplicate() {
    // Avro's serializer and this one's reader and writer hold buffers that one thread at a time may use.
    return new HandCodedAvroSerializer<>((AvroSerializer<T>) avro.duplicate(), copy, encoding);
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
    if (writer == null) {
      writer = new StateBytes();
    }
    encoding.write(writer, record, target);
  }

  /**
   * Reads with the record's own schema: Flink migrates state written with another schema through the
   * serializer restored from its snapshot, so this one only meets bytes of the current schema.
   */
  @Override
  public T deserialize(DataInputView source) throws IOException {
    if (reader == null) {
      reader = new SortedMapsReader<>(avro.getType());
      decoder = new DataInputDecoder();
    }
    decoder.setIn(source);
    return reader.read(null, decoder);
  }

  @Override
  public T deserialize(T reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    avro.copy(source, target);
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

  /**
   * Avro's reader of specific records, with every map a {@link SortedArrayMap}. The generated classes'
   * own decoders ("custom coders") build hash maps without asking the model, so they are off; Avro's fast
   * reader asks the model for each map, so it is on.
   */
  private static final class SortedMapsReader<T> extends SpecificDatumReader<T> {
    SortedMapsReader(Class<T> type) {
      this(type, new SortedMapsModel(type.getClassLoader()));
    }

    private SortedMapsReader(Class<T> type, SpecificData model) {
      super(model.getSchema(type), model.getSchema(type), model);
    }
  }

  /** A model of its own: the generated classes share theirs, which must keep making hash maps. */
  private static final class SortedMapsModel extends SpecificData {
    SortedMapsModel(ClassLoader classLoader) {
      super(classLoader);
      setCustomCoders(false);
      // Off by default in a model made this way; on, as in the model Flink's Avro serializer reads with.
      setFastReaderEnabled(true);
    }

    @Override
    public Object newMap(Object old, int size) {
      return new SortedArrayMap<>(size);
    }
  }
}
