package dev.distillguard.detector.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.detector.model.KeyIndex;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.PaneTally;
import dev.distillguard.detector.model.PartialPane;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.junit.jupiter.api.Test;

/** The hand-written bytes must be Flink's Avro serializer's to the byte, or savepoints stop restoring. */
class StateBytesTest {

  /** Odd names a pane's maps may hold: empty, multi-byte UTF-8, a surrogate pair and a lone surrogate. */
  private static final String[] ODD_NAMES = {"", "acct-\u00fc", "\u7f51\u7edc-7", "org-\uD83D\uDE00", "bad-\uD800"};

  @Test
  void randomPanesAreWrittenInAvrosBytes() throws Exception {
    AvroSerializer<Pane> avro = new AvroSerializer<>(Pane.class);
    // One writer for all, as a serializer keeps one: nothing of a record may stay in the next.
    StateBytes writer = new StateBytes();
    for (int seed = 0; seed < 300; seed++) {
      Random rnd = new Random(seed);
      Pane pane = randomPane(rnd);

      assertThat(handWritten(writer, pane)).as("seed %d", seed).isEqualTo(bytes(avro, pane));
    }
  }

  @Test
  void randomPartialPanesAreWrittenInAvrosBytes() throws Exception {
    AvroSerializer<PartialPane> avro = new AvroSerializer<>(PartialPane.class);
    StateBytes writer = new StateBytes();
    for (int seed = 0; seed < 100; seed++) {
      Random rnd = new Random(seed);
      PartialPane partial = new PartialPane(rnd.nextLong(), randomPane(rnd));

      DataOutputSerializer out = new DataOutputSerializer(64);
      writer.write(partial, out);
      assertThat(out.getCopyOfBuffer()).as("seed %d", seed).isEqualTo(bytes(avro, partial));
    }
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

      assertThat(handWritten(new StateBytes(), pane)).as("%d items", size).isEqualTo(bytes(avro, pane));
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
      KeyIndex index = new KeyIndex(tallies, rnd.nextLong(), rnd.nextBoolean());

      DataOutputSerializer out = new DataOutputSerializer(64);
      new StateBytes().write(index, out);
      assertThat(out.getCopyOfBuffer()).as("seed %d", seed).isEqualTo(bytes(avro, index));
    }
  }

  private static Pane randomPane(Random rnd) {
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

  private static byte[] handWritten(StateBytes writer, Pane pane) throws Exception {
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
