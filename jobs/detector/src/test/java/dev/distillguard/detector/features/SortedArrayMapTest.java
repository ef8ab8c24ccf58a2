package dev.distillguard.detector.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SortedArrayMapTest {

  @Test
  void forEachVisitsEveryEntryInKeyOrderAndFailsOnAModification() {
    SortedArrayMap<Long> map = new SortedArrayMap<>();
    for (String key : List.of("m-3", "m-1", "m-2")) {
      map.put(key, (long) key.charAt(2));
    }
    List<String> visited = new ArrayList<>();
    map.forEach((key, value) -> visited.add(key + "=" + value));

    assertThat(visited).containsExactly("m-1=49", "m-2=50", "m-3=51");
    assertThatThrownBy(() -> map.forEach((key, value) -> map.put("m-9", 0L)))
        .isInstanceOf(ConcurrentModificationException.class);
  }

  /** Every operation the panes use, at random, against a TreeMap doing the same. */
  @Test
  void behavesAsATreeMapUnderRandomOperations() {
    for (int seed = 0; seed < 40; seed++) {
      Random rnd = new Random(seed);
      SortedArrayMap<Long> map = new SortedArrayMap<>(rnd.nextInt(3));
      TreeMap<String, Long> expected = new TreeMap<>();
      int keySpace = 5 + rnd.nextInt(200);
      for (int step = 0; step < 2_000; step++) {
        String key = "m-" + rnd.nextInt(keySpace);
        long value = rnd.nextInt(50);
        switch (rnd.nextInt(9)) {
          case 0, 1 -> assertThat(map.put(key, value)).isEqualTo(expected.put(key, value));
          case 2, 3 -> assertThat(map.merge(key, value, Math::min)).isEqualTo(expected.merge(key, value, Math::min));
          case 4 -> assertThat(map.remove(key)).isEqualTo(expected.remove(key));
          case 5 -> {
            int modulus = 2 + rnd.nextInt(4);
            assertThat(map.keySet().removeIf(k -> k.hashCode() % modulus == 0))
                .isEqualTo(expected.keySet().removeIf(k -> k.hashCode() % modulus == 0));
          }
          case 6 -> {
            Set<String> keep = new HashSet<>(List.of("m-" + rnd.nextInt(keySpace), "m-" + rnd.nextInt(keySpace), key));
            assertThat(map.keySet().retainAll(keep)).isEqualTo(expected.keySet().retainAll(keep));
          }
          case 7 -> {
            // Removal through the iterator, as AbstractMap and Avro-restored code paths use it.
            Iterator<Map.Entry<String, Long>> it = map.entrySet().iterator();
            while (it.hasNext()) {
              if (it.next().getValue() == value) {
                it.remove();
              }
            }
            expected.values().removeIf(v -> v == value);
          }
          default -> {
            assertThat(map.get(key)).isEqualTo(expected.get(key));
            assertThat(map.containsKey(key)).isEqualTo(expected.containsKey(key));
          }
        }
        assertThat(map).hasSize(expected.size());
      }
      assertThat(new ArrayList<>(map.keySet())).containsExactlyElementsOf(expected.keySet());
      assertThat(map).isEqualTo(expected).hasSameHashCodeAs(expected);
      assertThat(new HashMap<>(expected)).isEqualTo(map);
    }
  }

  @Test
  void keysAreKeptInOrderWhateverOrderTheyArriveIn() {
    SortedArrayMap<Boolean> map = new SortedArrayMap<>();
    for (String key : List.of("c", "a", "e", "b", "d", "a")) {
      map.put(key, true);
    }
    assertThat(new ArrayList<>(map.keySet())).containsExactly("a", "b", "c", "d", "e");
  }

  @Test
  void aCopyIsEqualAndIndependent() {
    SortedArrayMap<Long> map = new SortedArrayMap<>();
    map.put("acct-1", 1L);
    map.put("acct-2", 2L);
    SortedArrayMap<Long> copy = SortedArrayMap.copyOf(map);
    SortedArrayMap<Long> fromHashMap = SortedArrayMap.copyOf(new HashMap<>(Map.of("acct-2", 2L, "acct-1", 1L)));

    assertThat(copy).isEqualTo(map).isNotSameAs(map);
    assertThat(new ArrayList<>(fromHashMap.keySet())).containsExactly("acct-1", "acct-2");
    copy.put("acct-3", 3L);
    copy.put("acct-1", 10L);
    assertThat(map).containsExactlyInAnyOrderEntriesOf(Map.of("acct-1", 1L, "acct-2", 2L));
  }

  @Test
  void anEntryWritesThrough() {
    SortedArrayMap<Long> map = new SortedArrayMap<>();
    map.put("a", 1L);
    map.put("b", 2L);
    for (Map.Entry<String, Long> entry : map.entrySet()) {
      entry.setValue(entry.getValue() * 10);
    }
    assertThat(map).containsExactlyInAnyOrderEntriesOf(Map.of("a", 10L, "b", 20L));
  }

  @Test
  void aChangeDuringIterationFailsFast() {
    SortedArrayMap<Long> map = new SortedArrayMap<>();
    map.put("a", 1L);
    map.put("b", 2L);
    Iterator<String> keys = map.keySet().iterator();
    keys.next();
    map.put("c", 3L);
    assertThatThrownBy(keys::next).isInstanceOf(ConcurrentModificationException.class);
  }

  @Test
  void nullKeysAreRefusedAndOtherTypesAreNeverFound() {
    SortedArrayMap<Long> map = new SortedArrayMap<>();
    map.put("1", 1L);
    assertThatThrownBy(() -> map.put(null, 1L)).isInstanceOf(NullPointerException.class);
    assertThat(map.get(1)).isNull();
    assertThat(map.containsKey(1)).isFalse();
    assertThat(map.remove(1)).isNull();
  }
}
