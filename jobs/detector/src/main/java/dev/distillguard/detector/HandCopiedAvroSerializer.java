package dev.distillguard.detector;

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
 * Flink's Avro serializer for a state record, with the record's deep copy written by hand. The heap state
 * backend copies a state entry whenever it is read while a checkpoint of it is in flight (copy-on-write),
 * and Avro's schema-walking {@code deepCopy} of a pane was a quarter of the template features' CPU at 2 s
 * checkpoints. The copy still allocates every map entry, so throughput rose only a few percent
 * (docs/performance.md, "Changes measured"). Bytes and snapshot are Avro's own, so savepoints do not change:
 * a savepoint written by the plain Avro serializer restores here and the other way round.
 *
 * @param <T> the state record
 */
public final class HandCopiedAvroSerializer<T extends SpecificRecord> extends TypeSerializer<T> {

  private static final long serialVersionUID = 1L;

  /** A deep copy: nothing mutable shared with the original. */
  @FunctionalInterface
  public interface DeepCopy<T> extends UnaryOperator<T>, Serializable {}

  private final AvroSerializer<T> avro;
  private final DeepCopy<T> copy;

  public HandCopiedAvroSerializer(Class<T> type, DeepCopy<T> copy) {
    this(new AvroSerializer<>(type), copy);
  }

  private HandCopiedAvroSerializer(AvroSerializer<T> avro, DeepCopy<T> copy) {
    this.avro = avro;
    this.copy = copy;
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<T> duplicate() {
    // Avro's serializer holds a reader and writer that one thread at a time may use.
    TypeSerializer<T> duplicate = avro.duplicate();
    return duplicate == avro ? this : new HandCopiedAvroSerializer<>((AvroSerializer<T>) duplicate, copy);
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
    avro.serialize(record, target);
  }

  @Override
  public T deserialize(DataInputView source) throws IOException {
    return avro.deserialize(source);
  }

  @Override
  public T deserialize(T reuse, DataInputView source) throws IOException {
    return avro.deserialize(reuse, source);
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
    return other instanceof HandCopiedAvroSerializer<?> that && avro.equals(that.avro);
  }

  @Override
  public int hashCode() {
    return avro.hashCode();
  }

  @Override
  public String toString() {
    return "HandCopiedAvroSerializer{" + avro + "}";
  }
}
