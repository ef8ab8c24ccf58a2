package dev.distillguard.detector.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillguard.detector.model.Pane;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.junit.jupiter.api.Test;

/** Open and frozen panes as state: the same bytes, frozen panes never copied, and restores checked. */
class StoredPaneSerializerTest {

  private final StoredPaneSerializer serializer = new StoredPaneSerializer();
  private final RecordBytes bytes = new RecordBytes();

  @Test
  void anOpenPaneAndItsFrozenSelfAreWrittenAlikeAndReadBackFrozen() throws Exception {
    for (int seed = 0; seed < 100; seed++) {
      Pane pane = RecordBytesTest.comparable(RecordBytesTest.randomPane(new Random(seed)));
      byte[] open = written(new StoredPane.Open(pane));
      byte[] frozen = written(FrozenPane.of(pane, bytes));
      assertThat(open).as("seed %d", seed).isEqualTo(frozen);

      StoredPane read = serializer.deserialize(new DataInputDeserializer(open));
      assertThat(read).isInstanceOf(FrozenPane.class);
      assertThat(((FrozenPane) read).bytes()).isEqualTo(FrozenPane.of(pane, bytes).bytes());
      assertThat(read.toOpen(bytes, Panes.MemberMaps.SORTED_ARRAYS)).isEqualTo(bytes.readPane(new DataInputDeserializer(((FrozenPane) read).bytes())));

      DataOutputSerializer copied = new DataOutputSerializer(64);
      serializer.copy(new DataInputDeserializer(open), copied);
      assertThat(copied.getCopyOfBuffer()).isEqualTo(open);
    }
  }

  @Test
  void aFrozenPaneIsSharedWhereAnOpenOneIsCopiedDeep() {
    FrozenPane frozen = FrozenPane.of(Panes.empty(0), bytes);
    assertThat(serializer.copy(frozen)).isSameAs(frozen);

    Pane pane = Panes.empty(0);
    pane.getAccounts().put("acct-1", 1L);
    StoredPane.Open copy = (StoredPane.Open) serializer.copy(new StoredPane.Open(pane));
    copy.pane().getAccounts().put("acct-2", 2L);
    copy.pane().setCount(9);
    assertThat(pane.getAccounts()).containsOnlyKeys("acct-1");
    assertThat(pane.getCount()).isZero();
  }

  @Test
  void aSnapshotOfThisSchemaRestoresAsItIs() throws Exception {
    TypeSerializerSnapshot<StoredPane> restored = roundTrip(serializer.snapshotConfiguration());
    assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs()).isTrue();
    assertThat(restored.restoreSerializer()).isEqualTo(serializer);
  }

  @Test
  void panesOfThePlainAvroSerializerOrAnotherSchemaAreRefused() throws Exception {
    @SuppressWarnings({"unchecked", "rawtypes"})
    TypeSerializerSnapshot<StoredPane> avro =
        (TypeSerializerSnapshot) new AvroSerializer<>(Pane.class).snapshotConfiguration();
    assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(roundTrip(avro)).isIncompatible())
        .isTrue();

    // A snapshot as another pane schema's build would have written it.
    DataOutputSerializer out = new DataOutputSerializer(64);
    out.writeUTF("{\"type\":\"record\",\"name\":\"Pane\",\"fields\":[]}");
    StoredPaneSerializer.Snapshot other = new StoredPaneSerializer.Snapshot();
    other.readSnapshot(other.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
        getClass().getClassLoader());
    TypeSerializerSchemaCompatibility<StoredPane> compatibility =
        serializer.snapshotConfiguration().resolveSchemaCompatibility(other);
    assertThat(compatibility.isIncompatible()).isTrue();
    assertThatThrownBy(other::restoreSerializer).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("another schema");
  }

  private byte[] written(StoredPane pane) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(pane, out);
    return out.getCopyOfBuffer();
  }

  private static <T> TypeSerializerSnapshot<T> roundTrip(TypeSerializerSnapshot<T> snapshot) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
    return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()),
        StoredPaneSerializerTest.class.getClassLoader());
  }
}
