package dev.distillguard.detector.features;

import dev.distillguard.detector.model.Pane;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The state serializer of a key's panes: the pane's length, then its bytes as {@link RecordBytes} writes a
 * pane (Avro's, in Flink's encoding). An open pane is encoded; a frozen one is its bytes already, written as
 * they are, and never copied (it cannot change). Reading gives a frozen pane, its bytes copied off the
 * stream and decoded only if a call has to be added to it.
 *
 * <p>The snapshot records the pane schema. A snapshot of another pane schema, or of the plain Avro
 * serializer panes were kept with before they froze, is incompatible: the restore fails at once, naming the
 * state, rather than reading bytes laid out for another schema.
 */
public final class StoredPaneSerializer extends TypeSerializer<StoredPane> {

  private static final long serialVersionUID = 1L;

  private transient RecordBytes bytes;

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<StoredPane> duplicate() {
    // The RecordBytes buffer is one thread's at a time.
    return new StoredPaneSerializer();
  }

  @Override
  public StoredPane createInstance() {
    return new StoredPane.Open(Panes.empty(0));
  }

  @Override
  public StoredPane copy(StoredPane from) {
    return from instanceof StoredPane.Open open ? new StoredPane.Open(Panes.copy(open.pane())) : from;
  }

  @Override
  public StoredPane copy(StoredPane from, StoredPane reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(StoredPane pane, DataOutputView target) throws IOException {
    if (pane instanceof FrozenPane frozen) {
      target.writeInt(frozen.length());
      target.write(frozen.bytes());
    } else {
      bytes().writeSized(((StoredPane.Open) pane).pane(), target);
    }
  }

  @Override
  public StoredPane deserialize(DataInputView source) throws IOException {
    int length = source.readInt();
    if (length < 0) {
      throw new IOException("pane of " + length + " bytes: corrupt state");
    }
    byte[] pane = new byte[length];
    source.readFully(pane);
    return FrozenPane.ofBytes(pane);
  }

  @Override
  public StoredPane deserialize(StoredPane reuse, DataInputView source) throws IOException {
    return deserialize(source);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    int length = source.readInt();
    target.writeInt(length);
    RecordBytes.copyBytes(source, target, length);
  }

  private RecordBytes bytes() {
    if (bytes == null) {
      bytes = new RecordBytes();
    }
    return bytes;
  }

  @Override
  public TypeSerializerSnapshot<StoredPane> snapshotConfiguration() {
    return new Snapshot();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StoredPaneSerializer;
  }

  @Override
  public int hashCode() {
    return StoredPaneSerializer.class.hashCode();
  }

  /** Records the pane schema: panes of another schema, or of the plain Avro serializer, do not restore. */
  public static final class Snapshot extends SchemaBoundSnapshot<StoredPane> {
    public Snapshot() {
      super(Pane.SCHEMA$, StoredPaneSerializer::new);
    }
  }
}
