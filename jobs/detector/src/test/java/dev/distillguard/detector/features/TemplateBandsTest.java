package dev.distillguard.detector.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateBandsTest {

  @Test
  void keyIsTheBandIndexOverTheBandsBits() {
    TemplateBands bands = new TemplateBands(4);
    long simhash = 0x1111_2222_3333_4444L;
    assertThat(bands.key(simhash, 0)).isEqualTo(0x4444L);
    assertThat(bands.key(simhash, 3)).isEqualTo((3L << 56) | 0x1111L);
    assertThat(TemplateBands.name(bands.key(simhash, 2))).isEqualTo("b2:2222");
  }

  @Test
  void namesParseBackToTheirKeys() {
    TemplateBands bands = new TemplateBands(2);
    Random rnd = new Random(1);
    for (int i = 0; i < 1_000; i++) {
      long key = bands.key(rnd.nextLong(), i % 2);
      assertThat(TemplateBands.parse(TemplateBands.name(key))).isEqualTo(key);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "2:ff", "b:ff", "bff", "x1:ff"})
  void parseRejectsWhatIsNotAKeyName(String name) {
    assertThatThrownBy(() -> TemplateBands.parse(name)).isInstanceOf(IllegalArgumentException.class);
  }

  /** Pigeonhole: prompts within bands - 1 bits of each other always meet under one key. */
  @ParameterizedTest
  @ValueSource(ints = {2, 4, 8})
  void promptsWithinBandsMinusOneBitsShareAKey(int count) {
    TemplateBands bands = new TemplateBands(count);
    Random rnd = new Random(count);
    for (int i = 0; i < 2_000; i++) {
      long a = rnd.nextLong();
      long b = TemplateClustersTest.flip(a, count - 1, rnd);
      Set<Long> keys = new HashSet<>();
      for (int band = 0; band < count; band++) {
        keys.add(bands.key(a, band));
      }
      boolean meet = false;
      for (int band = 0; band < count; band++) {
        meet |= keys.contains(bands.key(b, band));
      }
      assertThat(meet).as("%016x and %016x", a, b).isTrue();
    }
  }

  @Test
  void bandCountIsBounded() {
    assertThatThrownBy(() -> new TemplateBands(1)).hasMessageContaining("[2, 16]");
    assertThatThrownBy(() -> new TemplateBands(17)).hasMessageContaining("[2, 16]");
  }
}
