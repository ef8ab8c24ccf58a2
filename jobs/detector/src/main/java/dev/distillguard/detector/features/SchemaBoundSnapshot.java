package dev.distillguard.detector.features;

import java.io.IOException;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of a state serializer whose bytes follow an Avro schema of this build: it records the
 * schema, and a restore whose schema is another (or whose snapshot is another serializer's) fails at once,
 * naming it, rather than reading bytes laid out for another schema.
 *
 * @param <T> what the serializer writes
 */
abstract class SchemaBoundSnapshot<T> implements TypeSerializerSnapshot<T> {

  private static final int VERSION = 1;

  private final String current;
  private final Supplier<TypeSerializer<T>> serializer;
  private String schema;

  SchemaBoundSnapshot(Schema current, Supplier<TypeSerializer<T>> serializer) {
    this.current = current.toString();
    this.serializer = serializer;
    this.schema = this.current;
  }

  @Override
  public int getCurrentVersion() {
    return VERSION;
  }

  @Override
  public void writeSnapshot(DataOutputView out) throws IOException {
    out.writeUTF(schema);
  }

  @Override
  public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
    if (readVersion != VERSION) {
      throw new IOException(getClass().getName() + ": unknown snapshot version " + readVersion);
    }
    schema = in.readUTF();
  }

  @Override
  public TypeSerializer<T> restoreSerializer() {
    if (!current.equals(schema)) {
      throw new IllegalStateException(getClass().getName() + ": state written with another schema than this "
          + "build's; restore it with the build that wrote it. Its schema: " + schema);
    }
    return serializer.get();
  }

  @Override
  public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
    return old.getClass() == getClass() && current.equals(((SchemaBoundSnapshot<T>) old).schema)
        ? TypeSerializerSchemaCompatibility.compatibleAsIs()
        : TypeSerializerSchemaCompatibility.incompatible();
  }
}
