package dev.distillguard.detector.features;

import dev.distillguard.detector.ImmutableValueSerializer;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The calls one subtask sent a template band key since its last flush ({@link TemplateBatcher}): one
 * record per key and flush instead of one per call and band, crossing the shuffle (and a BATCH backfill's
 * sort) as bytes, never decoded on the way.
 */
public record TemplateCalls(long templateKey, CallBatch calls) {

  /** The stream type: the key, then the batch. */
  public static final TypeInformation<TemplateCalls> TYPE = new Type();

  /** Stateless, so one instance serves every thread. */
  public static final class Serializer extends ImmutableValueSerializer<TemplateCalls> {

    private static final long serialVersionUID = 1L;
    static final Serializer INSTANCE = new Serializer();

    @Override
    public TemplateCalls createInstance() {
      return new TemplateCalls(0, CallBatch.Serializer.INSTANCE.createInstance());
    }

    @Override
    public void serialize(TemplateCalls record, DataOutputView target) throws IOException {
      target.writeLong(record.templateKey());
      CallBatch.Serializer.INSTANCE.serialize(record.calls(), target);
    }

    @Override
    public TemplateCalls deserialize(DataInputView source) throws IOException {
      return new TemplateCalls(source.readLong(), CallBatch.Serializer.INSTANCE.deserialize(source));
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      target.writeLong(source.readLong());
      CallBatch.Serializer.INSTANCE.copy(source, target);
    }

    @Override
    public TypeSerializerSnapshot<TemplateCalls> snapshotConfiguration() {
      return new Snapshot();
    }

    /** These records cross shuffles and sorts only, never state. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TemplateCalls> {
      public Snapshot() {
        super(() -> INSTANCE);
      }
    }
  }

  private static final class Type extends TypeInformation<TemplateCalls> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
      return false;
    }

    @Override
    public boolean isTupleType() {
      return false;
    }

    @Override
    public int getArity() {
      return 1;
    }

    @Override
    public int getTotalFields() {
      return 1;
    }

    @Override
    public Class<TemplateCalls> getTypeClass() {
      return TemplateCalls.class;
    }

    @Override
    public boolean isKeyType() {
      return false;
    }

    @Override
    public TypeSerializer<TemplateCalls> createSerializer(SerializerConfig config) {
      return Serializer.INSTANCE;
    }

    @Override
    public String toString() {
      return "TemplateCalls";
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Type;
    }

    @Override
    public int hashCode() {
      return Type.class.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
      return other instanceof Type;
    }
  }
}
