package dev.distillguard.detector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.Capability;
import dev.distillguard.contract.DeadLetter;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.testing.Calls;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GatewayRecordDeserializerTest {

  private static final long T = Instant.parse("2025-06-01T12:00:00Z").toEpochMilli();
  private static final String TOPIC = "gateway.api-calls";
  private static final byte[] KEY = "acct-1".getBytes(StandardCharsets.UTF_8);

  private final GatewayRecordDeserializer deserializer = new GatewayRecordDeserializer(
      new CallValidator(new SubnetParser(24, 48), Duration.ofMinutes(5), Duration.ofDays(7)), "test-1.2.3");

  private static ApiCall call(String requestId) {
    return Calls.call(requestId, T, "acct-1", "203.0.113.77", 0xABCDL, Capability.CODE, false);
  }

  @Test
  void validRecordBecomesACall() {
    Ingested in = deserializer.ingest(AvroBinary.encode(call("req-1")), KEY, TOPIC, 3, 42, T);
    assertThat(in.deadLetter).isNull();
    assertThat(in.event).isNotNull();
    assertThat(in.event.getAccountId()).isEqualTo("acct-1");
    assertThat(in.event.getSubnet()).isEqualTo("203.0.113.0/24");
    assertThat(in.event.getRank()).isEqualTo(CallValidator.requestRank("req-1"));
    assertThat(in.event.getCapability()).isEqualTo(Capability.CODE.ordinal());
  }

  @Test
  void emptyValueIsDeadLettered() {
    DeadLetter letter = deadLetter(deserializer.ingest(new byte[0], KEY, TOPIC, 1, 7, T));
    assertThat(letter.getReason()).isEqualTo("EMPTY_RECORD");
    assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(new byte[0]));
    assertSource(letter, 1, 7, T);
  }

  @Test
  void tombstoneIsDeadLettered() {
    DeadLetter letter = deadLetter(deserializer.ingest(null, KEY, TOPIC, 1, 8, T));
    assertThat(letter.getReason()).isEqualTo("EMPTY_RECORD");
    assertThat(letter.getOriginalValue()).isNull();
    assertThat(letter.getOriginalKey()).isEqualTo(ByteBuffer.wrap(KEY));
  }

  @Test
  void undecodableBytesAreDeadLetteredWithTheOriginalBytesAndSource() {
    byte[] garbage = {0x01, 0x02, 0x03}; // a negative string length
    DeadLetter letter = deadLetter(deserializer.ingest(garbage, KEY, TOPIC, 5, 123_456_789L, T));
    assertThat(letter.getReason()).isEqualTo("UNDECODABLE");
    assertThat(letter.getDetail()).contains("not an Avro ApiCall");
    assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(garbage.clone()));
    assertSource(letter, 5, 123_456_789L, T);
  }

  @Test
  void truncatedRecordIsDeadLettered() {
    byte[] whole = AvroBinary.encode(call("req-1"));
    byte[] half = Arrays.copyOf(whole, whole.length / 2);
    DeadLetter letter = deadLetter(deserializer.ingest(half, KEY, TOPIC, 0, 1, T));
    assertThat(letter.getReason()).isEqualTo("UNDECODABLE");
    assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(half.clone()));
  }

  @Test
  void bytesAfterACompleteRecordAreDeadLettered() {
    byte[] whole = AvroBinary.encode(call("req-1"));
    byte[] longer = Arrays.copyOf(whole, whole.length + 2);
    DeadLetter letter = deadLetter(deserializer.ingest(longer, KEY, TOPIC, 2, 9, T));
    assertThat(letter.getReason()).isEqualTo("UNDECODABLE");
    assertThat(letter.getDetail()).contains("bytes after a complete ApiCall");
    assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(longer.clone()));
    assertSource(letter, 2, 9, T);
  }

  @Test
  void invalidCallIsDeadLetteredWithTheValidatorsReasonAndDetail() {
    ApiCall bad = call("req-1");
    bad.setClientIp("not-an-ip");
    byte[] bytes = AvroBinary.encode(bad);
    DeadLetter letter = deadLetter(deserializer.ingest(bytes, KEY, TOPIC, 4, 77, T));
    assertThat(letter.getReason()).isEqualTo("INVALID_CLIENT_IP");
    assertThat(letter.getDetail()).contains("client_ip").contains("not-an-ip");
    assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(bytes.clone()));
    assertSource(letter, 4, 77, T);
  }

  @Test
  void eventTimeIsCheckedAgainstTheRecordTimestamp() {
    byte[] bytes = AvroBinary.encode(call("req-1"));
    long recordTime = T + Duration.ofDays(8).toMillis();
    DeadLetter letter = deadLetter(deserializer.ingest(bytes, KEY, TOPIC, 0, 0, recordTime));
    assertThat(letter.getReason()).isEqualTo("EVENT_TIME_TOO_OLD");
    assertThat(letter.getSourceTimestamp()).isEqualTo(Instant.ofEpochMilli(recordTime));
  }

  @Test
  void missingRecordTimestampIsRecordedAsEpochZero() {
    DeadLetter letter = deadLetter(deserializer.ingest(new byte[] {0x01}, null, TOPIC, 0, 0, -1));
    assertThat(letter.getSourceTimestamp()).isEqualTo(Instant.EPOCH);
    assertThat(letter.getOriginalKey()).isNull();
  }

  @Test
  void overlongDetailIsCut() {
    ApiCall bad = call("req-1");
    bad.setClientIp("1".repeat(250) + ":" + "z".repeat(5)); // under the id cap, rejected by the parser
    DeadLetter letter = deadLetter(deserializer.ingest(AvroBinary.encode(bad), KEY, TOPIC, 0, 0, T));
    assertThat(letter.getDetail().length()).isLessThanOrEqualTo(1003);
  }

  /** The decoder and the record are reused between records: no state may leak from one to the next. */
  @Test
  void eachRecordIsDecodedOnItsOwnWhateverCameBefore() {
    ApiCall first = call("req-1");
    first.setOrgId("org-1");
    first.setCountry("DE");
    first.setAccountCreatedAt(Instant.ofEpochMilli(T - 1_000));
    ApiCall second = call("req-2");
    second.setAccountId("acct-2");
    second.setOrgId(null);
    second.setCountry(null);
    second.setAsn(null);

    CallEvent a = deserializer.ingest(AvroBinary.encode(first), KEY, TOPIC, 0, 0, T).event;
    assertThat(deserializer.ingest(new byte[] {0x01, 0x02}, KEY, TOPIC, 0, 1, T).deadLetter).isNotNull();
    byte[] secondBytes = AvroBinary.encode(second);
    assertThat(deserializer.ingest(Arrays.copyOf(secondBytes, secondBytes.length - 3), KEY, TOPIC, 0, 2, T)
        .deadLetter).isNotNull();
    CallEvent b = deserializer.ingest(secondBytes, KEY, TOPIC, 0, 3, T).event;

    assertThat(b.getAccountId()).isEqualTo("acct-2");
    assertThat(b.getOrgId()).isNull();
    assertThat(b.getCountry()).isNull();
    assertThat(b.getAsn()).isNull();
    assertThat(b.getAccountAgeMs()).isNull();
    // The first event is untouched by decoding the next records.
    assertThat(a.getAccountId()).isEqualTo("acct-1");
    assertThat(a.getOrgId()).isEqualTo("org-1");
    assertThat(a.getCountry()).isEqualTo("DE");
    assertThat(a.getAccountAgeMs()).isEqualTo(1_000L);
  }

  /**
   * Every record yields exactly one Ingested, whatever its bytes: nothing throws, nothing is dropped,
   * and random lengths (up to gigabytes) never reach Avro's allocator.
   */
  @Test
  void arbitraryBytesAlwaysYieldACallOrADeadLetter() {
    Random rnd = new Random(17);
    byte[] valid = AvroBinary.encode(call("req-1"));
    for (int i = 0; i < 5_000; i++) {
      byte[] value;
      if (i < valid.length) {
        value = Arrays.copyOf(valid, i + 1); // every prefix of a valid record, the whole record last
      } else {
        value = new byte[1 + rnd.nextInt(120)];
        rnd.nextBytes(value);
      }
      Ingested in = deserializer.ingest(value, KEY, TOPIC, 0, i, T);
      assertThat(in.event == null).as("exactly one of call and dead letter, record %d", i)
          .isNotEqualTo(in.deadLetter == null);
      if (in.deadLetter != null) {
        assertThat(in.deadLetter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(value.clone()));
        assertThat(in.deadLetter.getSourceOffset()).isEqualTo(i);
      }
      if (i == valid.length - 1) {
        assertThat(in.event).as("the whole valid record").isNotNull();
      }
    }
  }

  /**
   * A record of 6 bytes that declares its request_id 64 MiB long. Avro allocates the declared length
   * before it finds the bytes missing, so one bad record costs 64 MiB; declaring about 2 GiB instead
   * would throw OutOfMemoryError: the Kafka source would fail, restart from the same offset and fail
   * again on the same record.
   */
  @Test
  void aRecordDeclaringAHugeStringIsDeadLetteredWithoutAllocatingIt() {
    byte[] value = {(byte) 0x80, (byte) 0x80, (byte) 0x80, 0x40, 'x', 'y'}; // varint 2^27: zigzag for 2^26
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    deserializer.ingest(AvroBinary.encode(call("warm-up")), KEY, TOPIC, 0, 0, T);

    long before = threads.getCurrentThreadAllocatedBytes();
    Ingested in = deserializer.ingest(value, KEY, TOPIC, 0, 1, T);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertThat(deadLetter(in).getReason()).isEqualTo("UNDECODABLE");
    assertThat(allocated).as("bytes allocated to reject a 6-byte record").isLessThan(16L << 20);
  }

  private static DeadLetter deadLetter(Ingested in) {
    assertThat(in.event).isNull();
    assertThat(in.deadLetter).isNotNull();
    assertThat(in.deadLetter.getDetectorVersion()).isEqualTo("test-1.2.3");
    return in.deadLetter;
  }

  private static void assertSource(DeadLetter letter, int partition, long offset, long timestamp) {
    assertThat(letter.getSourceTopic()).isEqualTo(TOPIC);
    assertThat(letter.getSourcePartition()).isEqualTo(partition);
    assertThat(letter.getSourceOffset()).isEqualTo(offset);
    assertThat(letter.getSourceTimestamp()).isEqualTo(Instant.ofEpochMilli(timestamp));
    assertThat(letter.getOriginalKey()).isEqualTo(ByteBuffer.wrap(KEY.clone()));
  }
}
