package dev.distillguard.detector.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ValueInternerTest {

  @Test
  void equalValuesComeBackAsTheFirstInstance() {
    ValueInterner interner = new ValueInterner();
    String account = new String("acct-42");
    Long simhash = Long.valueOf(0x1234_5678_9ABC_DEF0L);

    assertThat(interner.intern(account)).isSameAs(account);
    assertThat(interner.intern(simhash)).isSameAs(simhash);
    assertThat(interner.intern(new String("acct-42"))).isSameAs(account);
    assertThat(interner.intern(Long.valueOf(0x1234_5678_9ABC_DEF0L))).isSameAs(simhash);
    assertThat(interner.intern((String) null)).isNull();
  }

  @Test
  void aFullTableReturnsAnEqualValueForEveryInput() {
    // Two slots for thousands of values: nearly every call misses or replaces, and still returns its
    // input's value; a repeat straight after is shared.
    ValueInterner interner = new ValueInterner(1);
    Random rnd = new Random(1);
    for (int i = 0; i < 5_000; i++) {
      Object value = rnd.nextBoolean() ? "subnet-" + rnd.nextInt(500) : (Object) rnd.nextLong(1_000);
      Object interned = interner.intern(value);
      assertThat(interned).isEqualTo(value).isExactlyInstanceOf(value.getClass());
      Object copy = value instanceof String s ? new String(s) : Long.valueOf((Long) value);
      assertThat(interner.intern(copy)).isSameAs(interned);
    }
  }

  @Test
  void valuesOfDifferentTypesAreNeverConfused() {
    ValueInterner interner = new ValueInterner(1);
    // Equal hash codes: Integer 7 and Long 7 fall in the same slot but are not equal.
    Integer seven = 7;
    interner.intern(seven);
    assertThat(interner.intern(7L)).isInstanceOf(Long.class).isEqualTo(7L);
  }

  @Test
  void slotCountIsChecked() {
    assertThatThrownBy(() -> new ValueInterner(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ValueInterner(31)).isInstanceOf(IllegalArgumentException.class);
  }
}
