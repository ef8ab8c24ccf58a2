package dev.distillguard.detector.features;

import dev.distillguard.detector.ImmutableValueSerializer;
import dev.distillguard.detector.model.CallEvent;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Calls one after another as their bytes ({@link RecordBytes}' encoding of a call, each after its int
 * length), as a template band key receives them from {@link TemplateBatcher} and keeps them until their
 * pane is folded. Immutable: it crosses the shuffle and sits in state as it is, never copied on write.
 */
public final class CallBatch {

  private final int calls;
  private final byte[] bytes;

  CallBatch(int calls, byte[] bytes) {
    this.calls = calls;
    this.bytes = bytes;
  }

  public int calls() {
    return calls;
  }

  byte[] bytes() {
    return bytes;
  }

  /** Where the call after the one at {@code at} starts; the first is at 0, the end at {@code length()}. */
  int next(int at) {
    return at + 4 + length(at);
  }

  int end() {
    return bytes.length;
  }

  /** The byte length of the call at {@code at}; its bytes start 4 later. */
  int length(int at) {
    return (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8 | (bytes[at + 3] & 0xff);
  }

  /** The event time of the call at {@code at}: the first field of a call's bytes. */
  long eventTime(int at) {
    long t = 0;
    for (int i = at + 4; i < at + 12; i++) {
      t = (t << 8) | (bytes[i] & 0xff);
    }
    return t;
  }

  /** Builds a batch call by call, reusing its buffer for the next. */
  static final class Builder {
    private byte[] buffer = new byte[256];
    private int length;
    private int calls;

    void add(byte[] call, int callLength) {
      int needed = length + 4 + callLength;
      if (needed > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(needed, 2 * buffer.length));
      }
      buffer[length] = (byte) (callLength >>> 24);
      buffer[length + 1] = (byte) (callLength >>> 16);
      buffer[length + 2] = (byte) (callLength >>> 8);
      buffer[length + 3] = (byte) callLength;
      System.arraycopy(call, 0, buffer, length + 4, callLength);
      length = needed;
      calls++;
    }

    /** Adds the call at {@code at} of {@code batch}. */
    void add(CallBatch batch, int at) {
      int callLength = batch.length(at);
      int needed = length + 4 + callLength;
      if (needed > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(needed, 2 * buffer.length));
      }
      System.arraycopy(batch.bytes, at, buffer, length, 4 + callLength);
      length = needed;
      calls++;
    }

    int calls() {
      return calls;
    }

    /** The batch so far; the builder starts empty again. */
    CallBatch build() {
      CallBatch batch = new CallBatch(calls, Arrays.copyOf(buffer, length));
      length = 0;
      calls = 0;
      return batch;
    }
  }

  /** A batch as state or on the wire: its call count, its byte length, its bytes. Stateless. */
  public static final class Serializer extends ImmutableValueSerializer<CallBatch> {

    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    @Override
    public CallBatch createInstance() {
      return new CallBatch(0, new byte[0]);
    }

    @Override
    public void serialize(CallBatch batch, DataOutputView target) throws IOException {
      target.writeInt(batch.calls);
      target.writeInt(batch.bytes.length);
      target.write(batch.bytes);
    }

    @Override
    public CallBatch deserialize(DataInputView source) throws IOException {
      int calls = source.readInt();
      int length = source.readInt();
      if (calls < 0 || length < 0) {
        throw new IOException("call batch of " + calls + " calls in " + length + " bytes: corrupt record");
      }
      byte[] bytes = new byte[length];
      source.readFully(bytes);
      return new CallBatch(calls, bytes);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      target.writeInt(source.readInt());
      int length = source.readInt();
      target.writeInt(length);
      RecordBytes.copyBytes(source, target, length);
    }

    @Override
    public TypeSerializerSnapshot<CallBatch> snapshotConfiguration() {
      return new Snapshot();
    }

    /** Records the call schema the calls' bytes follow. */
    public static final class Snapshot extends SchemaBoundSnapshot<CallBatch> {
      public Snapshot() {
        super(CallEvent.SCHEMA$, () -> INSTANCE);
      }
    }
  }
}
