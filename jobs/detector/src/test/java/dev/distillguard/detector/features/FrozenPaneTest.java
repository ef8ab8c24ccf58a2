package dev.distillguard.detector.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.junit.jupiter.api.Test;

/** Reading a frozen pane in place gives what decoding its bytes gives, field by field. */
class FrozenPaneTest {

  private final RecordBytes bytes = new RecordBytes();

  @Test
  void everyFieldReadInPlaceIsTheDecodedPanes() throws Exception {
    for (int seed = 0; seed < 300; seed++) {
      FrozenPane frozen = FrozenPane.of(RecordBytesTest.randomPane(new Random(seed)), bytes);
      Pane decoded = bytes.readPane(new DataInputDeserializer(frozen.bytes()));
      assertSameFields(frozen, decoded, "seed " + seed);
      // Without NaN sums, which a pane never holds, for Avro's equality.
      FrozenPane comparable = FrozenPane.of(RecordBytesTest.comparable(decoded), bytes);
      assertThat(comparable.thaw(bytes)).isEqualTo(decoded);
    }
  }

  @Test
  void panesOfRealTrafficReadAsTheyWereBuilt() {
    for (KeySpace space : KeySpace.values()) {
      List<Pane> panes = CallEvents.panes(PanesOrderIndependenceTest.traffic(new Random(11), 2_000), space,
          FeatureSettings.defaults());
      for (Pane pane : panes) {
        FrozenPane frozen = FrozenPane.of(pane, bytes);
        assertSameFields(frozen, pane, space + " pane " + pane.getStart());
        assertThat(frozen.thaw(bytes)).isEqualTo(pane);
        assertThat(frozen.accounts()).isEqualTo(pane.getAccounts().size());
      }
    }
  }

  @Test
  void aKeyHashedInPlaceIsItsNameHashed() {
    Pane pane = Panes.empty(0);
    for (String name : List.of("acct-1", "", "acct-\u00fc", "\u7f51\u7edc-7", "org-\uD83D\uDE00", "x".repeat(300))) {
      pane.getAccounts().put(name, 1L);
    }
    FrozenPane frozen = FrozenPane.of(pane, bytes);
    FrozenPane.Entries entries = new FrozenPane.Entries();
    frozen.members(Panes.ACCOUNTS, entries);
    int seen = 0;
    while (entries.next()) {
      assertThat(entries.keyHash()).as(entries.key()).isEqualTo(FrozenPane.nameHash(entries.key()));
      seen++;
    }
    assertThat(seen).isEqualTo(6);
    assertThat(new NameSet(pane.getAccounts().keySet()).mayContain(FrozenPane.nameHash("acct-\u00fc"))).isTrue();
    assertThat(new NameSet(pane.getAccounts().keySet()).mayContain(FrozenPane.nameHash("acct-2"))).isFalse();
  }

  @Test
  void cutOrPaddedBytesAreRefusedWhenRead() {
    byte[] whole = FrozenPane.of(RecordBytesTest.randomPane(new Random(3)), bytes).bytes();
    FrozenPane cut = FrozenPane.ofBytes(Arrays.copyOf(whole, whole.length - 3));
    assertThatThrownBy(cut::sampleSize).isInstanceOf(IllegalStateException.class).hasMessageContaining("corrupt");
    FrozenPane padded = FrozenPane.ofBytes(Arrays.copyOf(whole, whole.length + 2));
    assertThatThrownBy(padded::sampleSize).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bytes after the last field");
  }

  private static void assertSameFields(FrozenPane frozen, Pane pane, String what) {
    assertThat(frozen.start()).as(what).isEqualTo(pane.getStart());
    assertThat(frozen.count()).as(what).isEqualTo(pane.getCount());
    assertThat(frozen.promptTokensSum()).as(what).isEqualTo(pane.getPromptTokensSum());
    assertThat(Double.doubleToRawLongBits(frozen.promptTokensSq())).as(what)
        .isEqualTo(Double.doubleToRawLongBits(pane.getPromptTokensSq()));
    assertThat(frozen.completionTokensSum()).as(what).isEqualTo(pane.getCompletionTokensSum());
    assertThat(Double.doubleToRawLongBits(frozen.completionTokensSq())).as(what)
        .isEqualTo(Double.doubleToRawLongBits(pane.getCompletionTokensSq()));
    assertThat(frozen.capabilities()).as(what).isEqualTo(pane.getCapabilities().size());
    for (int c = 0; c < pane.getCapabilities().size(); c++) {
      assertThat(frozen.capability(c)).as(what).isEqualTo(pane.getCapabilities().get(c));
    }
    assertThat(frozen.cot()).as(what).isEqualTo(pane.getCot());
    assertThat(frozen.offsets()).as(what).isEqualTo(pane.getOffsets().size());
    for (int i = 0; i < pane.getOffsets().size(); i++) {
      assertThat(frozen.offset(i)).as(what).isEqualTo(pane.getOffsets().get(i));
    }
    assertThat(frozen.offsetsTruncated()).as(what).isEqualTo(pane.getOffsetsTruncated());
    assertThat(frozen.sampleSize()).as(what).isEqualTo(pane.getSampleRank().size());
    for (int i = 0; i < pane.getSampleRank().size(); i++) {
      assertThat(frozen.sampleRank(i)).as(what).isEqualTo(pane.getSampleRank().get(i));
    }
    for (int i = 0; i < pane.getSampleSimhash().size(); i++) {
      assertThat(frozen.sampleSimhash(i)).as(what).isEqualTo(pane.getSampleSimhash().get(i));
    }
    assertThat(frozen.orgId()).as(what).isEqualTo(pane.getOrgId());
    assertThat(frozen.membersTruncated()).as(what).isEqualTo(pane.getMembersTruncated());
    for (int kind = 0; kind < pane.getMemberLevels().size(); kind++) {
      assertThat(frozen.memberLevel(kind)).as(what).isEqualTo(pane.getMemberLevels().get(kind));
    }
    FrozenPane.Entries entries = new FrozenPane.Entries();
    frozen.members(Panes.ACCOUNTS, entries);
    assertThat(longs(entries)).as(what).isEqualTo(pane.getAccounts());
    frozen.members(Panes.SUBNETS, entries);
    assertThat(longs(entries)).as(what).isEqualTo(pane.getSubnets());
    frozen.members(Panes.ASNS, entries);
    assertThat(longs(entries)).as(what).isEqualTo(pane.getAsns());
    frozen.members(Panes.COUNTRIES, entries);
    assertThat(longs(entries)).as(what).isEqualTo(pane.getCountries());
    frozen.youngAccounts(entries);
    Map<String, Boolean> young = new HashMap<>();
    while (entries.next()) {
      young.put(entries.key(), entries.booleanValue());
    }
    assertThat(young).as(what).isEqualTo(pane.getYoungAccounts());
    frozen.accountPayments(entries);
    Map<String, String> payments = new HashMap<>();
    while (entries.next()) {
      payments.put(entries.key(), entries.stringValue());
    }
    assertThat(payments).as(what).isEqualTo(pane.getAccountPayments());
  }

  private static Map<String, Long> longs(FrozenPane.Entries entries) {
    Map<String, Long> out = new HashMap<>();
    while (entries.next()) {
      out.put(entries.key(), entries.longValue());
    }
    return out;
  }
}
