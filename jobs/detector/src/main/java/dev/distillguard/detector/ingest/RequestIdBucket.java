package dev.distillguard.detector.ingest;

import dev.distillguard.detector.ImmutableValueSerializer;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The request ids (64-bit hashes) one account sent within one granule of event time, each with its event
 * time, in one array: one state value for up to {@link #CAPACITY} calls instead of one map entry each, so
 * a heap snapshot writes a few arrays per account rather than hundreds of boxed entries, and the heap
 * holds them in a fraction of the space. Past the capacity the bucket is marked spilled and the duplicate
 * filter keeps further ids of its granule one entry each: a flooding account's calls then cost one lookup
 * and one write each, and under RocksDB no call rewrites more than a full bucket.
 *
 * <p>Immutable: adding an id makes a new bucket, so the heap backend's copy-on-write never copies one.
 */
public final class RequestIdBucket {

  /** Ids a bucket holds before it spills: 4 KiB of pairs, what a RocksDB write of it costs at most. */
  public static final int CAPACITY = 256;

  private static final RequestIdBucket EMPTY = new RequestIdBucket(new long[0], false);

  /** Id, time, id, time, ... in the order they came. */
  private final long[] pairs;
  private final boolean spilled;

  private RequestIdBucket(long[] pairs, boolean spilled) {
    this.pairs = pairs;
    this.spilled = spilled;
  }

  static RequestIdBucket empty() {
    return EMPTY;
  }

  int size() {
    return pairs.length / 2;
  }

  boolean isFull() {
    return size() >= CAPACITY;
  }

  /** Whether ids of this granule beyond the capacity were kept outside it. */
  boolean isSpilled() {
    return spilled;
  }

  /** This bucket and one id more. */
  RequestIdBucket with(long id, long time) {
    long[] more = Arrays.copyOf(pairs, pairs.length + 2);
    more[pairs.length] = id;
    more[pairs.length + 1] = time;
    return new RequestIdBucket(more, spilled);
  }

  RequestIdBucket markedSpilled() {
    return spilled ? this : new RequestIdBucket(pairs, true);
  }

  /** Whether {@code id} was sent at a time at most {@code horizon} from {@code time}. */
  boolean holds(long id, long time, long horizon) {
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i] == id && Math.abs(time - pairs[i + 1]) <= horizon) {
        return true;
      }
    }
    return false;
  }

  long id(int index) {
    return pairs[2 * index];
  }

  long time(int index) {
    return pairs[2 * index + 1];
  }

  /** A bucket as state: spilled or not, its id count, then each id and time. Stateless. */
  public static final class Serializer extends ImmutableValueSerializer<RequestIdBucket> {

    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    @Override
    public RequestIdBucket createInstance() {
      return EMPTY;
    }

    @Override
    public void serialize(RequestIdBucket bucket, DataOutputView target) throws IOException {
      target.writeBoolean(bucket.spilled);
      target.writeInt(bucket.size());
      for (long value : bucket.pairs) {
        target.writeLong(value);
      }
    }

    @Override
    public RequestIdBucket deserialize(DataInputView source) throws IOException {
      boolean spilled = source.readBoolean();
      int size = checkedSize(source.readInt());
      long[] pairs = new long[2 * size];
      for (int i = 0; i < pairs.length; i++) {
        pairs[i] = source.readLong();
      }
      return new RequestIdBucket(pairs, spilled);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      target.writeBoolean(source.readBoolean());
      int size = checkedSize(source.readInt());
      target.writeInt(size);
      target.write(source, 2 * Long.BYTES * size);
    }

    private static int checkedSize(int size) throws IOException {
      if (size < 0 || size > CAPACITY) {
        throw new IOException("request id bucket of " + size + " ids (at most " + CAPACITY + "): corrupt state");
      }
      return size;
    }

    @Override
    public TypeSerializerSnapshot<RequestIdBucket> snapshotConfiguration() {
      return new Snapshot();
    }

    /** The layout has one version; a change to it gets a new snapshot version and a migration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RequestIdBucket> {
      public Snapshot() {
        super(() -> INSTANCE);
      }
    }
  }
}
