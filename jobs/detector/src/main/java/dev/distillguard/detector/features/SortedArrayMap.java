package dev.distillguard.detector.features;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * A map from strings, kept as two arrays sorted by key: the member sets of panes held as state. A pane's
 * member maps hold one entry per account, subnet and network, and a window holds millions of them; as
 * {@code HashMap}s each entry was a node object plus its table slot, and those nodes were most of the
 * heap-state job's live heap and of every full collection's work (docs/performance.md, "Garbage
 * collection"). Here an entry is two array slots; copying a map (the heap backend's copy-on-write) is two
 * array copies; a map decoded from Avro bytes written in key order is filled by appending.
 *
 * <p>Lookups are binary searches and an insertion shifts the entries after it, which suits maps of at most
 * a pane's member cap that are read far more than they grow. No null keys; null values are allowed as in
 * {@code HashMap}. Not thread-safe.
 *
 * @param <V> the values
 */
public final class SortedArrayMap<V> extends AbstractMap<String, V> {

  private static final String[] NO_KEYS = {};
  private static final Object[] NO_VALUES = {};

  private String[] keys;
  private Object[] values;
  private int size;
  private int modifications;

  public SortedArrayMap() {
    this(0);
  }

  public SortedArrayMap(int expectedSize) {
    keys = expectedSize == 0 ? NO_KEYS : new String[expectedSize];
    values = expectedSize == 0 ? NO_VALUES : new Object[expectedSize];
  }

  /** A copy of {@code map} in its own arrays, sized to fit. */
  public static <V> SortedArrayMap<V> copyOf(Map<String, ? extends V> map) {
    SortedArrayMap<V> copy = new SortedArrayMap<>(map.size());
    if (map instanceof SortedArrayMap<?> sorted) {
      System.arraycopy(sorted.keys, 0, copy.keys, 0, sorted.size);
      System.arraycopy(sorted.values, 0, copy.values, 0, sorted.size);
      copy.size = sorted.size;
    } else {
      copy.putAll(map);
    }
    return copy;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean containsKey(Object key) {
    return key instanceof String s && indexOf(s) >= 0;
  }

  @Override
  public V get(Object key) {
    if (!(key instanceof String s)) {
      return null;
    }
    int at = indexOf(s);
    return at >= 0 ? valueAt(at) : null;
  }

  @Override
  public V put(String key, V value) {
    int at = indexOf(Objects.requireNonNull(key, "key"));
    if (at >= 0) {
      V old = valueAt(at);
      values[at] = value;
      return old;
    }
    insert(-at - 1, key, value);
    return null;
  }

  @Override
  public V remove(Object key) {
    if (!(key instanceof String s)) {
      return null;
    }
    int at = indexOf(s);
    if (at < 0) {
      return null;
    }
    V old = valueAt(at);
    removeAt(at);
    return old;
  }

  /** One search for what {@code Map.merge} would look up, put or remove separately. */
  @Override
  public V merge(String key, V value, BiFunction<? super V, ? super V, ? extends V> remapping) {
    Objects.requireNonNull(value, "value");
    int at = indexOf(Objects.requireNonNull(key, "key"));
    if (at < 0) {
      insert(-at - 1, key, value);
      return value;
    }
    V old = valueAt(at);
    V merged = old == null ? value : remapping.apply(old, value);
    if (merged == null) {
      removeAt(at);
    } else {
      values[at] = merged;
    }
    return merged;
  }

  @Override
  public void clear() {
    Arrays.fill(keys, 0, size, null);
    Arrays.fill(values, 0, size, null);
    size = 0;
    modifications++;
  }

  /** In key order, without an entry object per entry. */
  @Override
  public void forEach(BiConsumer<? super String, ? super V> action) {
    int expected = modifications;
    for (int i = 0; i < size; i++) {
      action.accept(keys[i], valueAt(i));
    }
    if (modifications != expected) {
      throw new ConcurrentModificationException();
    }
  }

  // Views are made per call, not cached: a window holds millions of these maps, and a cached view is one
  // more object and field in each of them.
  @Override
  public Set<String> keySet() {
    return new Keys();
  }

  @Override
  public Set<Map.Entry<String, V>> entrySet() {
    return new Entries();
  }

  /** Binary search: the key's index, or {@code -(insertion point) - 1}. */
  private int indexOf(String key) {
    // Keys decoded from bytes written in order, and most new members, go at the end: check it first.
    if (size > 0) {
      int last = keys[size - 1].compareTo(key);
      if (last < 0) {
        return -size - 1;
      }
      if (last == 0) {
        return size - 1;
      }
    }
    int low = 0;
    int high = size - 2;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int c = keys[mid].compareTo(key);
      if (c < 0) {
        low = mid + 1;
      } else if (c > 0) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -low - 1;
  }

  private void insert(int at, String key, Object value) {
    if (size == keys.length) {
      // Most member maps hold one or two entries: start small.
      int capacity = Math.max(2, size + (size >> 1));
      keys = Arrays.copyOf(keys, capacity);
      values = Arrays.copyOf(values, capacity);
    }
    System.arraycopy(keys, at, keys, at + 1, size - at);
    System.arraycopy(values, at, values, at + 1, size - at);
    keys[at] = key;
    values[at] = value;
    size++;
    modifications++;
  }

  private void removeAt(int at) {
    System.arraycopy(keys, at + 1, keys, at, size - at - 1);
    System.arraycopy(values, at + 1, values, at, size - at - 1);
    size--;
    keys[size] = null;
    values[size] = null;
    modifications++;
  }

  /** Keeps the entries whose key {@code keep} accepts, in one pass; returns whether any went. */
  private boolean retainKeys(Predicate<String> keep) {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (keep.test(keys[i])) {
        keys[kept] = keys[i];
        values[kept] = values[i];
        kept++;
      }
    }
    if (kept == size) {
      return false;
    }
    Arrays.fill(keys, kept, size, null);
    Arrays.fill(values, kept, size, null);
    size = kept;
    modifications++;
    return true;
  }

  /** The key at {@code at} in key order, for walking the map without entry objects. */
  String keyAt(int at) {
    return keys[Objects.checkIndex(at, size)];
  }

  /** The value at {@code at} in key order. */
  @SuppressWarnings("unchecked")
  V valueAt(int at) {
    return (V) values[Objects.checkIndex(at, size)];
  }

  /** Walks the entries in key order; {@code remove} removes the last one returned. */
  private abstract class Cursor<E> implements Iterator<E> {
    private int next;
    private int last = -1;
    private int expected = modifications;

    @Override
    public boolean hasNext() {
      return next < size;
    }

    int advance() {
      if (expected != modifications) {
        throw new ConcurrentModificationException();
      }
      if (next >= size) {
        throw new NoSuchElementException();
      }
      last = next++;
      return last;
    }

    @Override
    public void remove() {
      if (last < 0) {
        throw new IllegalStateException();
      }
      if (expected != modifications) {
        throw new ConcurrentModificationException();
      }
      removeAt(last);
      next = last;
      last = -1;
      expected = modifications;
    }
  }

  private final class Keys extends AbstractSet<String> {
    @Override
    public int size() {
      return size;
    }

    @Override
    public boolean contains(Object key) {
      return containsKey(key);
    }

    @Override
    public boolean remove(Object key) {
      int before = size;
      SortedArrayMap.this.remove(key);
      return size != before;
    }

    @Override
    public void clear() {
      SortedArrayMap.this.clear();
    }

    // One compacting pass rather than a shift per removal: raising a member set's sampling level drops
    // about half of it at once.
    @Override
    public boolean removeIf(Predicate<? super String> filter) {
      return retainKeys(key -> !filter.test(key));
    }

    @Override
    public boolean retainAll(Collection<?> keep) {
      return retainKeys(keep::contains);
    }

    @Override
    public Iterator<String> iterator() {
      return new Cursor<>() {
        @Override
        public String next() {
          return keys[advance()];
        }
      };
    }
  }

  private final class Entries extends AbstractSet<Map.Entry<String, V>> {
    @Override
    public int size() {
      return size;
    }

    @Override
    public void clear() {
      SortedArrayMap.this.clear();
    }

    @Override
    public Iterator<Map.Entry<String, V>> iterator() {
      return new Cursor<>() {
        @Override
        public Map.Entry<String, V> next() {
          return new Entry(advance());
        }
      };
    }
  }

  /** An entry that writes {@code setValue} through to the map while its key is where it was read. */
  private final class Entry extends AbstractMap.SimpleEntry<String, V> {
    private static final long serialVersionUID = 1L;
    private final int at;

    Entry(int at) {
      super(keys[at], valueAt(at));
      this.at = at;
    }

    @Override
    public V setValue(V value) {
      if (at >= size || !keys[at].equals(getKey())) {
        throw new ConcurrentModificationException();
      }
      values[at] = value;
      return super.setValue(value);
    }
  }
}
