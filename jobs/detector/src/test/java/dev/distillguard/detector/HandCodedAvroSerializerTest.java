package dev.distillguard.detector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.detector.features.Panes;
import dev.distillguard.detector.features.SortedArrayMap;
import dev.distillguard.detector.features.RecordBytes;
import dev.distillguard.detector.model.KeyIndex;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.PaneTally;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.junit.jupiter.api.Test;

/**
 * The hand-written copies must be as deep and as complete as Avro's, and the serializer must write Avro's
 * bytes and snapshot, so state written before it existed restores unchanged.
 */
class HandCodedAvroSerializerTest {

  @Test
  void aPaneCopyEqualsTheOriginalAndSharesNoListOrMap() {
    Pane pane = everyFieldSet();
    assertEveryFieldDiffersFromItsDefault(pane, Pane.newBuilder().build());

    Pane copy = Panes.copy(pane);

    assertThat(copy).isEqualTo(pane);
    assertSharesNoContainer(copy, pane);
    copy.getAccounts().put("acct-new", 1L);
    copy.getCapabilities().set(0, 99);
    assertThat(pane.getAccounts()).doesNotContainKey("acct-new");
    assertThat(pane.getCapabilities().get(0)).isEqualTo(3);
  }

  @Test
  void aKeyIndexCopyEqualsTheOriginalAndItsTalliesAreItsOwn() {
    KeyIndex index = new KeyIndex(new ArrayList<>(List.of(new PaneTally(60_000L, 4, 2), new PaneTally(120_000L, 1, 1))),
        179_999L, true, 1_700_000_000_000L);
    assertEveryFieldDiffersFromItsDefault(index, KeyIndex.newBuilder().build());

    KeyIndex copy = Panes.copy(index);

    assertThat(copy).isEqualTo(index);
    assertSharesNoContainer(copy, index);
    copy.getPanes().get(0).setCount(40);
    assertThat(index.getPanes().get(0).getCount()).isEqualTo(4);
  }

  @Test
  void writesAvrosBytesAndReadsThemBack() throws Exception {
    Pane pane = everyFieldSet();
    HandCodedAvroSerializer<Pane> serializer = paneSerializer();

    byte[] ours = bytes(serializer, pane);
    byte[] avros = bytes(new AvroSerializer<>(Pane.class), pane);

    assertThat(ours).isEqualTo(avros);
    assertThat(serializer.deserialize(new DataInputDeserializer(avros))).isEqualTo(pane);
  }

  /** Record by record from one stream to another, as a BATCH sort spills: the bytes and the stream's end. */
  @Test
  void copiesRecordsFromStreamToStreamInAvrosBytes() throws Exception {
    Pane pane = everyFieldSet();
    HandCodedAvroSerializer<Pane> serializer = paneSerializer();
    byte[] avros = bytes(new AvroSerializer<>(Pane.class), pane);
    DataOutputSerializer twice = new DataOutputSerializer(64);
    twice.write(avros);
    twice.write(avros);
    DataInputDeserializer source = new DataInputDeserializer(twice.getCopyOfBuffer());

    DataOutputSerializer target = new DataOutputSerializer(64);
    serializer.copy(source, target);
    serializer.copy(source, target);

    assertThat(target.getCopyOfBuffer()).isEqualTo(twice.getCopyOfBuffer());
    assertThat(source.available()).isZero();
  }

  @Test
  void readsEveryMapAsASortedArrayMapWhateverOrderItWasWrittenIn() throws Exception {
    Pane pane = everyFieldSet();
    Map<String, Long> accounts = new HashMap<>();
    for (int i = 0; i < 500; i++) {
      accounts.put("acct-" + (i * 7919 % 1000), (long) i);
    }
    pane.setAccounts(accounts);
    HandCodedAvroSerializer<Pane> serializer = paneSerializer();

    Pane read = serializer.deserialize(new DataInputDeserializer(bytes(new AvroSerializer<>(Pane.class), pane)));

    assertThat(read).isEqualTo(pane);
    for (Schema.Field field : read.getSchema().getFields()) {
      if (read.get(field.pos()) instanceof Map<?, ?> map) {
        assertThat(map).as(field.name()).isInstanceOf(SortedArrayMap.class);
      }
    }
    // Written in key order now, so the same bytes read back append every entry.
    assertThat(serializer.deserialize(new DataInputDeserializer(bytes(serializer, read)))).isEqualTo(pane);
  }

  @Test
  void stateWrittenByThePlainAvroSerializerRestoresAsIs() {
    var plain = new AvroSerializer<>(Pane.class).snapshotConfiguration();
    var ours = paneSerializer().snapshotConfiguration();

    // What Flink asks on restore: the new serializer's snapshot against the one in the savepoint.
    assertThat(ours.resolveSchemaCompatibility(plain).isCompatibleAsIs()).isTrue();
    assertThat(plain.resolveSchemaCompatibility(ours).isCompatibleAsIs()).isTrue();
  }

  @Test
  void aDuplicateCopiesByHandToo() {
    HandCodedAvroSerializer<Pane> serializer = paneSerializer();
    TypeSerializer<Pane> duplicate = serializer.duplicate();

    assertThat(duplicate).isInstanceOf(HandCodedAvroSerializer.class).isEqualTo(serializer);
    Pane pane = everyFieldSet();
    assertSharesNoContainer(duplicate.copy(pane), pane);
  }

  private static HandCodedAvroSerializer<Pane> paneSerializer() {
    return new HandCodedAvroSerializer<>(Pane.class, Panes::copy, RecordBytes::write, RecordBytes::readPane);
  }

  private static byte[] bytes(TypeSerializer<Pane> serializer, Pane pane) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(pane, out);
    return out.getCopyOfBuffer();
  }

  private static Pane everyFieldSet() {
    return new Pane(60_000L, 7, 700L, 70_000.0, 1_400L, 280_000.0, new ArrayList<>(List.of(3, 0, 4, 0, 0, 0, 0)), 5,
        new ArrayList<>(List.of(10, 2_000)), true, new ArrayList<>(List.of(-5L, 9L)), new ArrayList<>(List.of(11L, 12L)),
        new HashMap<>(Map.of("acct-1", 11L, "acct-2", 12L)), new HashMap<>(Map.of("acct-1", true)),
        new HashMap<>(Map.of("10.0.0.0/24", 11L)), new HashMap<>(Map.of("64500", 12L)), "org-1",
        new HashMap<>(Map.of("DE", 11L)), new HashMap<>(Map.of("acct-2", "card-9")), true,
        new ArrayList<>(List.of(0, 1, 0, 2)));
  }

  /** A new schema field left at its default here would go untested; this makes it fail instead. */
  private static void assertEveryFieldDiffersFromItsDefault(SpecificRecord record, SpecificRecord defaults) {
    for (Schema.Field field : record.getSchema().getFields()) {
      assertThat(record.get(field.pos())).as(field.name()).isNotEqualTo(defaults.get(field.pos()));
    }
  }

  private static void assertSharesNoContainer(SpecificRecord copy, SpecificRecord original) {
    for (Schema.Field field : original.getSchema().getFields()) {
      Object value = original.get(field.pos());
      if (value instanceof Collection<?> || value instanceof Map<?, ?>) {
        assertThat(copy.get(field.pos())).as(field.name()).isNotSameAs(value);
      }
    }
  }
}
