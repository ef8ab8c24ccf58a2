package dev.distillguard.detector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class RequestIdBucketTest {

  @Test
  void holdsAnIdOnlyWithinTheHorizonOfItsTime() {
    RequestIdBucket bucket = RequestIdBucket.empty().with(7, 1_000).with(9, 2_000);
    assertThat(bucket.holds(7, 1_500, 500)).isTrue();
    assertThat(bucket.holds(7, 500, 500)).isTrue();
    assertThat(bucket.holds(7, 1_501, 500)).isFalse();
    assertThat(bucket.holds(8, 1_000, 500)).isFalse();
    assertThat(bucket.holds(9, 2_000, 0)).isTrue();
  }

  @Test
  void addingMakesANewBucketAndLeavesTheOldOneAsItWas() {
    RequestIdBucket one = RequestIdBucket.empty().with(1, 10);
    RequestIdBucket two = one.with(2, 20);
    assertThat(one.size()).isEqualTo(1);
    assertThat(one.holds(2, 20, 0)).isFalse();
    assertThat(two.size()).isEqualTo(2);
    assertThat(two.markedSpilled().isSpilled()).isTrue();
    assertThat(two.isSpilled()).isFalse();
  }

  @Test
  void fullAtItsCapacity() {
    RequestIdBucket bucket = RequestIdBucket.empty();
    for (int i = 0; i < RequestIdBucket.CAPACITY - 1; i++) {
      bucket = bucket.with(i, i);
    }
    assertThat(bucket.isFull()).isFalse();
    assertThat(bucket.with(-1, 0).isFull()).isTrue();
  }

  @Test
  void serializesEveryIdTimeAndTheSpilledMark() throws IOException {
    RequestIdBucket bucket = RequestIdBucket.empty().with(Long.MIN_VALUE, 5).with(0, Long.MAX_VALUE).markedSpilled();
    DataOutputSerializer out = new DataOutputSerializer(64);
    RequestIdBucket.Serializer.INSTANCE.serialize(bucket, out);
    assertThat(out.length()).isEqualTo(1 + 4 + 2 * 16);

    RequestIdBucket read = RequestIdBucket.Serializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(read.isSpilled()).isTrue();
    assertThat(read.size()).isEqualTo(2);
    assertThat(read.id(0)).isEqualTo(Long.MIN_VALUE);
    assertThat(read.time(0)).isEqualTo(5);
    assertThat(read.id(1)).isZero();
    assertThat(read.time(1)).isEqualTo(Long.MAX_VALUE);

    DataOutputSerializer copied = new DataOutputSerializer(64);
    RequestIdBucket.Serializer.INSTANCE.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
    assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
  }

  @Test
  void aCorruptCountIsRefusedNamingIt() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(16);
    out.writeBoolean(false);
    out.writeInt(RequestIdBucket.CAPACITY + 1);
    assertThatThrownBy(() -> RequestIdBucket.Serializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
        .isInstanceOf(IOException.class).hasMessageContaining("corrupt");
  }
}
