package dev.distillguard.detector.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeyIndex;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.PaneTally;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.junit.jupiter.api.Test;

/** The hand-written bytes must be Flink's Avro serializer's to the byte, or savepoints stop restoring. */
class RecordBytesTest {

  /** Odd names a pane's maps may hold: empty, multi-byte UTF-8, a surrogate pair and a lone surrogate. */
  private static final String[] ODD_NAMES = {"", "acct-\u00fc", "\u7f51\u7edc-7", "org-\uD83D\uDE00", "bad-\uD800"};

  @Test
  void randomPanesAreWrittenInAvrosBytes() throws Exception {
    AvroSerializer<Pane> avro = new AvroSerializer<>(Pane.class);
    // One writer for all, as a serializer keeps one: nothing of a record may stay in the next.
    RecordBytes writer = new RecordBytes();
    for (int seed = 0; seed < 300; seed++) {
      Random rnd = new Random(seed);
      Pane pane = randomPane(rnd);

      assertThat(handWritten(writer, pane)).as("seed %d", seed).isEqualTo(bytes(avro, pane));
    }
  }

  /** Reading must give what Avro's reader gives, kept the way the pane code keeps it. */
  @Test
  void readsWhatAvroReadsAsSortedMapsAndPrimitiveLists() throws Exception {
    AvroSerializer<Pane> avro = new AvroSerializer<>(Pane.class);
    RecordBytes bytes = new RecordBytes();
    for (int seed = 0; seed < 300; seed++) {
      Pane pane = comparable(randomPane(new Random(seed)));
      byte[] written = bytes(avro, pane);

      Pane read = bytes.readPane(new DataInputDeserializer(written));

      assertThat(read).as("seed %d", seed).isEqualTo(avro.deserialize(new DataInputDeserializer(written)));
      assertKeptAsPanesKeepThem(read, SortedArrayMap.class);
      // Written back in key order, as Avro's writer writes the sorted maps it was given.
      assertThat(handWritten(bytes, read)).as("seed %d written back", seed).isEqualTo(bytes(avro, read));
    }
  }

  @Test
  void readsKeyIndexesAsAvroDoes() throws Exception {
    AvroSerializer<KeyIndex> indexes = new AvroSerializer<>(KeyIndex.class);
    RecordBytes bytes = new RecordBytes();
    for (int seed = 0; seed < 100; seed++) {
      Random rnd = new Random(seed);
      List<PaneTally> tallies = new ArrayList<>();
      for (int i = rnd.nextInt(3) * rnd.nextInt(100); i > 0; i--) {
        tallies.add(new PaneTally(rnd.nextLong(), rnd.nextInt(), rnd.nextInt()));
      }
      byte[] index = bytes(indexes, new KeyIndex(tallies, rnd.nextLong(), rnd.nextBoolean(), rnd.nextLong()));

      assertThat(bytes.readKeyIndex(new DataInputDeserializer(index)))
          .isEqualTo(indexes.deserialize(new DataInputDeserializer(index)));
    }
  }

  @Test
  void truncatedOrCorruptBytesAreAnIoErrorNotAPane() throws Exception {
    RecordBytes bytes = new RecordBytes();
    byte[] written = bytes(new AvroSerializer<>(Pane.class), randomPane(new Random(7)));
    Random rnd = new Random(11);
    for (int i = 0; i < 200; i++) {
      byte[] cut = Arrays.copyOf(written, rnd.nextInt(written.length));
      assertThatThrownBy(() -> bytes.readPane(new DataInputDeserializer(cut))).isInstanceOf(IOException.class);
    }
    // A string claiming a negative length: the first map key (accounts) of an otherwise empty pane.
    DataOutputSerializer out = new DataOutputSerializer(64);
    Pane empty = Panes.empty(0L);
    empty.setAccounts(SortedArrayMap.copyOf(Map.of("acct-1", 1L)));
    bytes.write(empty, out);
    byte[] corrupt = out.getCopyOfBuffer();
    int keyLength = indexOf(corrupt, new byte[] {0, 0, 0, 6, 'a', 'c', 'c', 't'});
    corrupt[keyLength] = (byte) 0x80;
    assertThatThrownBy(() -> bytes.readPane(new DataInputDeserializer(corrupt)))
        .isInstanceOf(IOException.class).hasMessageContaining("corrupt Avro bytes");
  }

  @Test
  void randomCallsAreWrittenAndReadInAvrosBytes() throws Exception {
    AvroSerializer<CallEvent> avro = new AvroSerializer<>(CallEvent.class);
    RecordBytes bytes = new RecordBytes();
    for (int seed = 0; seed < 500; seed++) {
      Random rnd = new Random(seed);
      CallEvent call = randomCall(rnd);
      DataOutputSerializer out = new DataOutputSerializer(16);
      bytes.write(call, out);
      byte[] written = out.getCopyOfBuffer();

      assertThat(written).as("seed %d", seed).isEqualTo(bytes(avro, call));
      // What Avro's reader gives: a lone surrogate does not survive UTF-8 either way.
      assertThat(bytes.readCallEvent(new DataInputDeserializer(written))).as("seed %d", seed)
          .isEqualTo(avro.deserialize(new DataInputDeserializer(written)));
    }
  }

  @Test
  void truncatedOrCorruptCallsAreAnIoErrorNotACall() throws Exception {
    RecordBytes bytes = new RecordBytes();
    DataOutputSerializer out = new DataOutputSerializer(64);
    CallEvent call = randomCall(new Random(3));
    call.setAccountId("acct-1");
    call.setOrgId("org-7");
    bytes.write(call, out);
    byte[] written = out.getCopyOfBuffer();
    for (int length = 0; length < written.length; length++) {
      byte[] cut = Arrays.copyOf(written, length);
      assertThatThrownBy(() -> bytes.readCallEvent(new DataInputDeserializer(cut))).isInstanceOf(IOException.class);
    }
    // org_id's union branch, right after the two longs and the account id: 2 is no branch of [null, string].
    byte[] corrupt = written.clone();
    corrupt[16 + 4 + "acct-1".length() + 3] = 2;
    assertThatThrownBy(() -> bytes.readCallEvent(new DataInputDeserializer(corrupt)))
        .isInstanceOf(IOException.class).hasMessageContaining("union branch 2 of [null, string]: corrupt Avro bytes");
  }

  /** Every nullable field null or not, names odd or long now and then. */
  private static CallEvent randomCall(Random rnd) {
    return new CallEvent(rnd.nextLong(), rnd.nextLong(), name(rnd, "acct-"),
        rnd.nextBoolean() ? null : name(rnd, "org-"), name(rnd, "10.1."), rnd.nextBoolean() ? null : rnd.nextInt(),
        rnd.nextBoolean() ? null : name(rnd, "C"), rnd.nextBoolean() ? null : name(rnd, "card-"),
        rnd.nextBoolean() ? null : rnd.nextLong(), rnd.nextInt(), rnd.nextInt(), rnd.nextLong(), rnd.nextInt(8),
        rnd.nextBoolean());
  }

  /** Without NaN, which Avro's record equality holds unequal to itself even between two of its own reads. */
  static Pane comparable(Pane pane) {
    if (Double.isNaN(pane.getPromptTokensSq())) {
      pane.setPromptTokensSq(1.5);
    }
    return pane;
  }

  private static void assertKeptAsPanesKeepThem(Pane pane, Class<?> maps) {
    for (Schema.Field field : pane.getSchema().getFields()) {
      Object value = pane.get(field.pos());
      if (value instanceof Map<?, ?>) {
        assertThat(value).as(field.name()).isInstanceOf(maps);
      } else if (value instanceof List<?>) {
        assertThat(value).as(field.name())
            .isInstanceOfAny(PrimitivesArrays.IntArray.class, PrimitivesArrays.LongArray.class);
      }
    }
  }

  private static int indexOf(byte[] bytes, byte[] part) {
    for (int i = 0; i + part.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  @Test
  void blockCountsPastOneAndTwoBytesAreAvros() throws Exception {
    AvroSerializer<Pane> avro = new AvroSerializer<>(Pane.class);
    for (int size : new int[] {127, 128, 16_383, 16_384, 20_000}) {
      Pane pane = Panes.empty(0L);
      SortedArrayMap<Long> accounts = new SortedArrayMap<>();
      List<Long> ranks = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        accounts.put("acct-" + i, (long) i);
        ranks.add((long) -i);
      }
      pane.setAccounts(accounts);
      pane.setSampleRank(ranks);

      assertThat(handWritten(new RecordBytes(), pane)).as("%d items", size).isEqualTo(bytes(avro, pane));
    }
  }

  @Test
  void randomKeyIndexesAreWrittenInAvrosBytes() throws Exception {
    AvroSerializer<KeyIndex> avro = new AvroSerializer<>(KeyIndex.class);
    for (int seed = 0; seed < 100; seed++) {
      Random rnd = new Random(seed);
      List<PaneTally> tallies = new ArrayList<>();
      int panes = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(200);
      for (int i = 0; i < panes; i++) {
        tallies.add(new PaneTally(rnd.nextLong(), rnd.nextInt(), rnd.nextInt()));
      }
      KeyIndex index = new KeyIndex(tallies, rnd.nextLong(), rnd.nextBoolean(), rnd.nextLong());

      DataOutputSerializer out = new DataOutputSerializer(64);
      new RecordBytes().write(index, out);
      assertThat(out.getCopyOfBuffer()).as("seed %d", seed).isEqualTo(bytes(avro, index));
    }
  }

  static Pane randomPane(Random rnd) {
    Pane pane = new Pane();
    pane.setStart(rnd.nextLong());
    pane.setCount(rnd.nextInt());
    pane.setPromptTokensSum(rnd.nextLong());
    pane.setPromptTokensSq(rnd.nextInt(10) == 0 ? Double.NaN : rnd.nextDouble() * 1e12);
    pane.setCompletionTokensSum(rnd.nextLong());
    pane.setCompletionTokensSq(rnd.nextInt(10) == 0 ? -0.0 : rnd.nextDouble() * 1e12);
    pane.setCapabilities(list(rnd, rnd.nextInt(8), Random::nextInt));
    pane.setCot(rnd.nextInt());
    pane.setOffsets(list(rnd, size(rnd), Random::nextInt));
    pane.setOffsetsTruncated(rnd.nextBoolean());
    pane.setSampleRank(list(rnd, size(rnd), Random::nextLong));
    pane.setSampleSimhash(list(rnd, size(rnd), Random::nextLong));
    pane.setAccounts(map(rnd, "acct-", Random::nextLong));
    pane.setYoungAccounts(map(rnd, "acct-", Random::nextBoolean));
    pane.setSubnets(map(rnd, "10.0.", Random::nextLong));
    pane.setAsns(map(rnd, "", Random::nextLong));
    pane.setOrgId(rnd.nextBoolean() ? null : name(rnd, "org-"));
    pane.setCountries(map(rnd, "C", Random::nextLong));
    pane.setAccountPayments(map(rnd, "acct-", r -> name(r, "card-")));
    pane.setMembersTruncated(rnd.nextBoolean());
    pane.setMemberLevels(list(rnd, rnd.nextInt(5), Random::nextInt));
    return pane;
  }

  /** Mostly small, sometimes empty, sometimes past a one-byte block count. */
  private static int size(Random rnd) {
    return switch (rnd.nextInt(4)) {
      case 0 -> 0;
      case 1 -> 1 + rnd.nextInt(3);
      case 2 -> rnd.nextInt(40);
      default -> 100 + rnd.nextInt(200);
    };
  }

  private static <T> List<T> list(Random rnd, int size, Function<Random, T> element) {
    List<T> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      list.add(element.apply(rnd));
    }
    return list;
  }

  /** A sorted-array map or, as panes restored by another serializer hold, a hash map. */
  private static <V> Map<String, V> map(Random rnd, String prefix, Function<Random, V> value) {
    Map<String, V> map = rnd.nextBoolean() ? new SortedArrayMap<>() : new HashMap<>();
    int size = size(rnd);
    for (int i = 0; i < size; i++) {
      map.put(name(rnd, prefix), value.apply(rnd));
    }
    return map;
  }

  private static String name(Random rnd, String prefix) {
    return switch (rnd.nextInt(40)) {
      case 0, 1 -> prefix + ODD_NAMES[rnd.nextInt(ODD_NAMES.length)];
      case 2 -> prefix + "x".repeat(50 + rnd.nextInt(400));
      default -> prefix + rnd.nextInt(100_000);
    };
  }

  private static byte[] handWritten(RecordBytes writer, Pane pane) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    writer.write(pane, out);
    return out.getCopyOfBuffer();
  }

  private static <T> byte[] bytes(TypeSerializer<T> serializer, T record) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(record, out);
    return out.getCopyOfBuffer();
  }
}
