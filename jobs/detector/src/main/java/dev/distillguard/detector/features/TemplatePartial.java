package dev.distillguard.detector.features;

import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The calls of one template band key in one pane that one subtask combined before the shuffle
 * ({@link TemplatePaneCombiner}), frozen: the feature operator keeps it as it came until the pane's first
 * window, then merges a pane's partials at once. Immutable, and it crosses the shuffle as its bytes, never
 * decoded on the way.
 */
public record TemplatePartial(long templateKey, FrozenPane pane) {

  /** The stream type: the key, then the pane's length and bytes. */
  public static final TypeInformation<TemplatePartial> TYPE = new Type();

  /** Writes and reads a partial; stateless, so one instance serves every thread. */
  public static final class Serializer extends TypeSerializerSingleton<TemplatePartial> {

    private static final long serialVersionUID = 1L;
    static final Serializer INSTANCE = new Serializer();

    @Override
    public boolean isImmutableType() {
      return true;
    }

    @Override
    public TemplatePartial createInstance() {
      return null;
    }

    @Override
    public TemplatePartial copy(TemplatePartial from) {
      return from;
    }

    @Override
    public TemplatePartial copy(TemplatePartial from, TemplatePartial reuse) {
      return from;
    }

    @Override
    public int getLength() {
      return -1;
    }

    @Override
    public void serialize(TemplatePartial partial, DataOutputView target) throws IOException {
      target.writeLong(partial.templateKey());
      byte[] bytes = partial.pane().bytes();
      target.writeInt(bytes.length);
      target.write(bytes);
    }

    @Override
    public TemplatePartial deserialize(DataInputView source) throws IOException {
      long key = source.readLong();
      int length = source.readInt();
      if (length < 0) {
        throw new IOException("partial pane of " + length + " bytes: corrupt record");
      }
      byte[] bytes = new byte[length];
      source.readFully(bytes);
      return new TemplatePartial(key, FrozenPane.ofBytes(bytes));
    }

    @Override
    public TemplatePartial deserialize(TemplatePartial reuse, DataInputView source) throws IOException {
      return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      target.writeLong(source.readLong());
      int length = source.readInt();
      target.writeInt(length);
      target.write(source, length);
    }

    @Override
    public TypeSerializerSnapshot<TemplatePartial> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Partials are never state; the snapshot is there because every serializer has one. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TemplatePartial> {
      public Snapshot() {
        super(() -> INSTANCE);
      }
    }
  }

  private static final class Type extends TypeInformation<TemplatePartial> {

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
    public Class<TemplatePartial> getTypeClass() {
      return TemplatePartial.class;
    }

    @Override
    public boolean isKeyType() {
      return false;
    }

    @Override
    public TypeSerializer<TemplatePartial> createSerializer(SerializerConfig config) {
      return Serializer.INSTANCE;
    }

    @Override
    public String toString() {
      return "TemplatePartial";
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
