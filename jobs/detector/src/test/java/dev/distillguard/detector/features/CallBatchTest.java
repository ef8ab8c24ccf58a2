package dev.distillguard.detector.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.detector.model.CallEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** A batch holds its calls, in order, through the wire and state and through copying calls out of it. */
class CallBatchTest {

  @Test
  void callsComeBackInTheirOrderWithTheirEventTimesThroughTheSerializer() throws Exception {
    List<CallEvent> calls = PanesOrderIndependenceTest.traffic(new Random(4), 200);
    CallBatch batch = CallEvents.batch(calls);
    assertThat(batch.calls()).isEqualTo(calls.size());

    DataOutputSerializer out = new DataOutputSerializer(64);
    CallBatch.Serializer.INSTANCE.serialize(batch, out);
    CallBatch read = CallBatch.Serializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

    assertThat(decode(read)).isEqualTo(calls);
    assertThat(read.calls()).isEqualTo(calls.size());
    assertThat(CallBatch.Serializer.INSTANCE.copy(read)).isSameAs(read);
    DataOutputSerializer copied = new DataOutputSerializer(16);
    CallBatch.Serializer.INSTANCE.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
    assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
  }

  @Test
  void callsCopiedOutOfBatchesMakeABatchOfThem() throws Exception {
    List<CallEvent> calls = PanesOrderIndependenceTest.traffic(new Random(5), 100);
    CallBatch first = CallEvents.batch(calls.subList(0, 40));
    CallBatch second = CallEvents.batch(calls.subList(40, 100));
    CallBatch.Builder kept = new CallBatch.Builder();
    List<CallEvent> expected = new ArrayList<>();
    int i = 0;
    for (CallBatch batch : List.of(first, second)) {
      for (int at = 0; at < batch.end(); at = batch.next(at), i++) {
        if (i % 3 == 0) {
          kept.add(batch, at);
          expected.add(calls.get(i));
        }
      }
    }
    CallBatch built = kept.build();
    assertThat(decode(built)).isEqualTo(expected);
    // The builder starts over.
    assertThat(kept.build().calls()).isZero();
  }

  private static List<CallEvent> decode(CallBatch batch) throws Exception {
    RecordBytes bytes = new RecordBytes();
    DataInputDeserializer in = new DataInputDeserializer();
    List<CallEvent> out = new ArrayList<>();
    for (int at = 0; at < batch.end(); at = batch.next(at)) {
      in.setBuffer(batch.bytes(), at + 4, batch.length(at));
      CallEvent call = bytes.readCallEvent(in);
      assertThat(batch.eventTime(at)).isEqualTo(call.getEventTime());
      out.add(call);
    }
    return out;
  }
}
