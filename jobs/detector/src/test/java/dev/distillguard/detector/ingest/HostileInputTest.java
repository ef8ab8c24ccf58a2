package dev.distillguard.detector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.Capability;
import dev.distillguard.contract.DeadLetter;
import dev.distillguard.detector.DetectorKafka;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.WindowFeatures;
import dev.distillguard.detector.testing.Calls;
import dev.distillguard.detector.testing.JobRun;
import dev.distillguard.detector.testing.TestTraffic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hostile-input suite: one nested class per case of issue 7, in its order, each asserting what the
 * job does with such a record, from the bytes on the gateway topic (a call and its key, or a dead letter
 * with its reason, detail, original bytes and source). The deserializer is the live job's own
 * ({@link DetectorKafka#deserializer}). Cases that need time, state or the whole dataflow (the same
 * request twice, hot keys) run the topology on a MiniCluster.
 *
 * <p>Finer cases of single parts: {@link CallValidatorTest}, {@link SubnetParserTest},
 * {@link GatewayRecordDeserializerTest}, {@link DuplicateFilterHarnessTest}; the counts over a mixed
 * stream: {@link IngestReconciliationTest}; on a real broker: the workbench's HostileStreamOnKafkaTest.
 */
class HostileInputTest {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  private static final long T = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
  private static final long MINUTE = 60_000;
  private static final String TOPIC = "gateway.api-calls";
  private static final byte[] KEY = "acct-1".getBytes(StandardCharsets.UTF_8);

  private static final DetectorConfig LIVE = DetectorConfig.defaults();
  private static final GatewayRecordDeserializer live = DetectorKafka.deserializer(LIVE);

  private static ApiCall call() {
    return Calls.call("req-1", T, "acct-1", "203.0.113.77", 0xABCDL, Capability.CODE, false);
  }

  private static Ingested ingest(byte[] value) {
    return live.ingest(value, KEY, TOPIC, 3, 1234, T);
  }

  private static Ingested ingest(ApiCall call) {
    return ingest(AvroBinary.encode(call));
  }

  private static CallEvent accepted(Ingested in) {
    assertThat(in.deadLetter).as("dead letter").isNull();
    return in.event;
  }

  private static DeadLetter rejected(Ingested in, RejectReason reason) {
    assertThat(in.event).as("call").isNull();
    assertThat(in.deadLetter).as("dead letter").isNotNull();
    assertThat(in.deadLetter.getReason()).isEqualTo(reason.name());
    assertThat(in.deadLetter.getSourceTopic()).isEqualTo(TOPIC);
    assertThat(in.deadLetter.getSourcePartition()).isEqualTo(3);
    assertThat(in.deadLetter.getSourceOffset()).isEqualTo(1234);
    return in.deadLetter;
  }

  private static DeadLetter rejected(byte[] value, RejectReason reason) {
    DeadLetter letter = rejected(ingest(value), reason);
    assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(value.clone()));
    assertThat(letter.getOriginalKey()).isEqualTo(ByteBuffer.wrap(KEY.clone()));
    return letter;
  }

  @Nested
  class UndecodableBytes {

    @Test
    void garbageIsDeadLetteredWithItsBytes() {
      rejected(new byte[] {0x13, 0x37, (byte) 0xca, (byte) 0xfe, 0x00, 0x01}, RejectReason.UNDECODABLE);
    }

    @Test
    void jsonInsteadOfAvroIsDeadLettered() {
      rejected("{\"request_id\":\"req-1\",\"account_id\":\"acct-1\"}".getBytes(StandardCharsets.UTF_8),
          RejectReason.UNDECODABLE);
    }

    @Test
    void aTruncatedRecordIsDeadLettered() {
      byte[] whole = AvroBinary.encode(call());
      rejected(Arrays.copyOf(whole, whole.length - 1), RejectReason.UNDECODABLE);
    }

    @Test
    void anEnumIndexOutOfRangeIsDeadLettered() {
      byte[] bytes = AvroBinary.encode(call());
      // capability, cot_elicitation and status_code close the record: capability is 4 bytes from the end
      // (one-byte enum, one-byte boolean, two-byte status 200).
      bytes[bytes.length - 4] = 0x7e; // zig-zag 63
      assertThat(rejected(bytes, RejectReason.UNDECODABLE).getDetail()).contains("enum");
    }

    @Test
    void aStringClaimingTwoGigabytesIsDeadLetteredWithoutAllocatingIt() {
      byte[] bytes = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 'x'};
      assertThat(rejected(bytes, RejectReason.UNDECODABLE).getDetail()).contains("left");
    }
  }

  /**
   * Avro binary carries no schema: the writer names its schema by fingerprint in a record header, and a
   * record without the header was written with version 1. Known schemas are resolved against the
   * detector's by field name; an unknown one is a dead letter, never a guess.
   */
  @Nested
  class OlderAndNewerSchemaVersions {

    private final Schema current = ApiCall.getClassSchema();
    /** An older gateway that never sent account age, payment or user agent (all optional with defaults). */
    private final Schema older = edit(current, List.of("account_created_at", "payment_fingerprint", "user_agent"),
        List.of(), null);
    /** A newer gateway that appended two optional fields with defaults. */
    private final Schema appended = edit(current, List.of(), List.of(
        new Schema.Field("region", nullable(Schema.Type.STRING), null, Schema.Field.NULL_DEFAULT_VALUE),
        new Schema.Field("client_port", nullable(Schema.Type.INT), null, Schema.Field.NULL_DEFAULT_VALUE)), null);
    /** A newer gateway that inserted an optional field in the middle. */
    private final Schema inserted = edit(current, List.of(), List.of(
        new Schema.Field("region", nullable(Schema.Type.STRING), null, Schema.Field.NULL_DEFAULT_VALUE)), "account_id");

    private final GatewayRecordDeserializer knowsAll = new GatewayRecordDeserializer(DetectorKafka.validator(LIVE),
        WriterSchemas.of(current, older, appended, inserted), "test", true, 1 << 18);

    @Test
    void aRecordWithoutTheHeaderIsReadAsVersionOne() {
      assertThat(WriterSchemas.released().headerlessFingerprint()).isEqualTo(AvroBinary.fingerprint(current));
      assertThat(accepted(ingest(call())).getAccountId()).isEqualTo("acct-1");
    }

    @Test
    void aRecordNamingTheCurrentSchemaIsRead() {
      Ingested in = live.ingest(AvroBinary.encode(call()), KEY, AvroBinary.fingerprintHeader(current), TOPIC, 3, 1234, T);
      assertThat(accepted(in).getSubnet()).isEqualTo("203.0.113.0/24");
    }

    @Test
    void anOlderWritersRecordGetsTheDefaultsOfWhatItLacks() {
      ApiCall call = call();
      call.setAccountCreatedAt(Instant.ofEpochMilli(T - 86_400_000L));
      Ingested in = knowsAll.ingest(write(call, older, Map.of()), KEY, AvroBinary.fingerprintHeader(older),
          TOPIC, 3, 1234, T);
      CallEvent event = accepted(in);
      assertThat(event.getAccountId()).isEqualTo("acct-1");
      assertThat(event.getAccountAgeMs()).as("the older writer never sent it").isNull();
      assertThat(event.getPaymentFingerprint()).isNull();
    }

    @Test
    void aKnownNewerWritersRecordIsReadAndItsNewFieldsSkipped() {
      byte[] bytes = write(call(), appended, Map.of("region", "eu-west", "client_port", 51234));
      CallEvent event = accepted(knowsAll.ingest(bytes, KEY, AvroBinary.fingerprintHeader(appended), TOPIC, 3, 1234, T));
      assertThat(event.getSubnet()).isEqualTo("203.0.113.0/24");
      assertThat(event.getCapability()).isEqualTo(Capability.CODE.ordinal());
    }

    /** Resolution goes by field name, so a field inserted anywhere is fine once its schema is known. */
    @Test
    void aKnownNewerWriterMayInsertAFieldAnywhere() {
      byte[] bytes = write(call(), inserted, Map.of("region", "eu-west"));
      CallEvent event = accepted(knowsAll.ingest(bytes, KEY, AvroBinary.fingerprintHeader(inserted), TOPIC, 3, 1234, T));
      assertThat(event.getAccountId()).isEqualTo("acct-1");
      assertThat(event.getSubnet()).isEqualTo("203.0.113.0/24");
    }

    /**
     * The job's own deserializer knows the released versions only: a newer writer that appended optional
     * fields is dead-lettered, naming its schema, with the bytes kept for a replay once the detector ships
     * that contract. Decoding the known prefix instead would be safe for appended fields only, and
     * nothing in the bytes says the fields were appended rather than inserted.
     */
    @Test
    void anUnknownNewerWriterIsDeadLetteredNamingItsSchema() {
      byte[] bytes = write(call(), appended, Map.of("region", "eu-west"));
      Ingested in = live.ingest(bytes, KEY, AvroBinary.fingerprintHeader(appended), TOPIC, 3, 1234, T);
      DeadLetter letter = rejected(in, RejectReason.UNKNOWN_WRITER_SCHEMA);
      assertThat(letter.getDetail()).contains(AvroBinary.fingerprint(appended)).contains("does not know");
      assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(bytes));
    }

    @Test
    void aNewerWriterWithoutTheHeaderIsDeadLetteredForItsExtraBytes() {
      byte[] bytes = write(call(), appended, Map.of("region", "eu-west"));
      assertThat(rejected(bytes, RejectReason.UNDECODABLE).getDetail())
          .contains("bytes after a complete ApiCall").contains(AvroBinary.SCHEMA_HEADER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "xyz", "0123456789ABCDEZ", "0123456789abcdef0", "not a fingerprint at all"})
    void aHeaderThatIsNoFingerprintIsDeadLettered(String header) {
      Ingested in = live.ingest(AvroBinary.encode(call()), KEY, header.getBytes(StandardCharsets.UTF_8), TOPIC, 3,
          1234, T);
      assertThat(rejected(in, RejectReason.UNKNOWN_WRITER_SCHEMA).getDetail()).contains(AvroBinary.SCHEMA_HEADER);
    }

    @Test
    void upperCaseHexNamesTheSameSchema() {
      byte[] header = AvroBinary.fingerprint(current).toUpperCase().getBytes(StandardCharsets.US_ASCII);
      accepted(live.ingest(AvroBinary.encode(call()), KEY, header, TOPIC, 3, 1234, T));
    }

    /** A schema the detector could not read (a required field without default) is refused at start. */
    @Test
    void anUnreadableSchemaIsRefusedWhenTheJobStarts() {
      Schema breaking = edit(current, List.of("model"), List.of(), null);
      assertThatThrownBy(() -> WriterSchemas.of(current, breaking))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(AvroBinary.fingerprint(breaking));
    }
  }

  @Nested
  class NullOrEmptyRequiredValues {

    @Test
    void anEmptyValueAndATombstoneAreDeadLettered() {
      rejected(new byte[0], RejectReason.EMPTY_RECORD);
      assertThat(rejected(ingest((byte[]) null), RejectReason.EMPTY_RECORD).getOriginalValue()).isNull();
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @CsvSource({"request_id, ''", "request_id, ' '", "account_id, ''", "account_id, '\t'", "model, ''",
        "client_ip, ''", "client_ip, '  '"})
    void anEmptyRequiredStringIsDeadLetteredNamingTheField(String field, String value) {
      GenericRecord record = generic(call(), ApiCall.getClassSchema(), Map.of());
      record.put(field, value);
      byte[] bytes = encode(record);
      assertThat(rejected(bytes, RejectReason.MISSING_REQUIRED_VALUE).getDetail()).isEqualTo(field + " is empty");
    }

    /**
     * A writer whose schema wrongly made request_id nullable, writing null: the union's null branch is the
     * byte 0, which a reader expecting a string reads as the empty string.
     */
    @Test
    void aNullWrittenWhereAStringIsRequiredIsDeadLettered() {
      Schema nullable = edit(ApiCall.getClassSchema(), List.of("request_id"), List.of(
          new Schema.Field("request_id", nullable(Schema.Type.STRING), null, Schema.Field.NULL_DEFAULT_VALUE)), "");
      GenericRecord record = generic(call(), nullable, Map.of());
      record.put("request_id", null);
      rejected(encode(record), RejectReason.MISSING_REQUIRED_VALUE);
    }

    @Test
    void missingOptionalValuesAreFine() {
      ApiCall call = call();
      call.setOrgId(null);
      call.setAsn(null);
      call.setCountry(null);
      call.setUserAgent(null);
      call.setAccountCreatedAt(null);
      CallEvent event = accepted(ingest(call));
      assertThat(event.getAsn()).isNull();
      assertThat(event.getAccountAgeMs()).isNull();
    }
  }

  /** Addresses are keyed strictly, without DNS, and a subnet key is canonical whatever the spelling. */
  @Nested
  class InvalidAndUnusualAddresses {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "::ffff:198.51.100.7, 198.51.100.0/24",        // IPv4-mapped IPv6: the IPv4 client
        "::FFFF:C633:6407, 198.51.100.0/24",           // the same, in hex
        "[::ffff:198.51.100.7], 198.51.100.0/24",
        "fe80::1%eth0, fe80::/48",                     // the zone names the gateway's interface: dropped
        "2001:db8:5::1%25, 2001:db8:5::/48",
        "10.1.2.3, 10.1.2.0/24",                       // private ranges are keyed like any other
        "172.16.5.4, 172.16.5.0/24",
        "192.168.0.7, 192.168.0.0/24",
        "100.64.3.4, 100.64.3.0/24",                   // carrier-grade NAT
        "127.0.0.1, 127.0.0.0/24",
        "169.254.10.20, 169.254.10.0/24",
        "fd12:3456:789a::1, fd12:3456:789a::/48",
        "::1, ::/48",
        "2001:DB8:0:0:0:0:0:1, 2001:db8::/48",
        "0.0.0.0, 0.0.0.0/24",
    })
    void unusualButValidAddressesAreKeyed(String ip, String subnet) {
      ApiCall call = call();
      call.setClientIp(ip);
      assertThat(accepted(ingest(call)).getSubnet()).isEqualTo(subnet);
    }

    /** Control characters around an address are trimmed like spaces: the address itself decides the key. */
    @Test
    void controlCharactersAroundAnAddressAreTrimmed() {
      ApiCall call = call();
      call.setClientIp("\u00001.2.3.4\r\n");
      assertThat(accepted(ingest(call)).getSubnet()).isEqualTo("1.2.3.0/24");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "010.0.0.1",          // leading zero: octal to some parsers, decimal to others
        "1.2.3.04",
        "999.1.2.3",
        "1.2.3",
        "1.2.3.4.5",
        "::ffff:1.2.3.256",
        "1::2::3",
        "2001:db8::g",
        "example.com",
        "1.2.3.4; DROP TABLE calls",
        "\u0661.\u0662.\u0663.\u0664",  // Arabic-Indic digits
        "1.2.3.4\u0000garbage",  // a C string read past its end
        "0x7f.0.0.1",
    })
    void invalidAddressesAreDeadLetteredNamingThem(String ip) {
      ApiCall call = call();
      call.setClientIp(ip);
      assertThat(rejected(ingest(call), RejectReason.INVALID_CLIENT_IP).getDetail()).contains("client_ip");
    }
  }

  @Nested
  class TimestampsFarInTheFutureOrPast {

    @Test
    void anEventTimeAheadOfItsRecordTimestampIsDeadLettered() {
      ApiCall call = call();
      call.setEventTime(Instant.ofEpochMilli(T + 6 * MINUTE));
      assertThat(rejected(ingest(call), RejectReason.EVENT_TIME_IN_FUTURE).getDetail())
          .contains("after the record timestamp");
    }

    /**
     * A producer whose clock runs years ahead stamps the record timestamp from the same clock. The live
     * job checks event time against its own clock too, so the call cannot carry the watermark ahead.
     */
    @Test
    void aCallFromAClockYearsAheadIsDeadLetteredByTheLiveJob() {
      long future = Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();
      ApiCall call = call();
      call.setEventTime(Instant.ofEpochMilli(future));
      DeadLetter letter = rejected(live.ingest(AvroBinary.encode(call), KEY, TOPIC, 3, 1234, future),
          RejectReason.EVENT_TIME_IN_FUTURE);
      assertThat(letter.getDetail()).contains("ahead of the detector's clock");
    }

    /** A backfill replays the past: it has no clock to hold a record to and trusts the record timestamp. */
    @Test
    void aBackfillTrustsTheRecordTimestamp() {
      GatewayRecordDeserializer backfill = DetectorKafka.deserializer(DetectorConfig.fromArgs("--mode", "backfill",
          "--backfill.from", "2026-03-01T00:00:00Z", "--backfill.to", "2026-03-03T00:00:00Z"));
      long future = Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();
      ApiCall call = call();
      call.setEventTime(Instant.ofEpochMilli(future));
      assertThat(accepted(backfill.ingest(AvroBinary.encode(call), KEY, TOPIC, 3, 1234, future)).getEventTime())
          .isEqualTo(future);
    }

    @Test
    void anEventTimeFarBehindItsRecordTimestampIsDeadLettered() {
      ApiCall call = call();
      call.setEventTime(Instant.parse("1970-01-01T00:00:00Z"));
      assertThat(rejected(ingest(call), RejectReason.EVENT_TIME_TOO_OLD).getDetail())
          .contains("before the record timestamp");
    }

    /** Old but consistent (a replayed backlog): a call; the ingest router decides whether it is late. */
    @Test
    void anOldCallWithAnOldRecordTimestampIsACall() {
      long old = Instant.parse("2001-09-09T01:46:40Z").toEpochMilli();
      ApiCall call = call();
      call.setEventTime(Instant.ofEpochMilli(old));
      assertThat(accepted(live.ingest(AvroBinary.encode(call), KEY, TOPIC, 3, 1234, old)).getEventTime()).isEqualTo(old);
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1})
    void extremeEventTimesAreDeadLetteredWithoutOverflow(long eventTime) {
      ApiCall call = call();
      call.setEventTime(Instant.ofEpochMilli(eventTime));
      Ingested in = ingest(call);
      assertThat(in.deadLetter).isNotNull();
      assertThat(in.deadLetter.getReason()).isIn("EVENT_TIME_IN_FUTURE", "EVENT_TIME_TOO_OLD");
      assertThat(in.deadLetter.getDetail()).doesNotContain("PT-");
    }

    @Test
    void anExtremeRecordTimestampDoesNotWrapAround() {
      Ingested in = live.ingest(AvroBinary.encode(call()), KEY, TOPIC, 3, 1234, Long.MAX_VALUE);
      assertThat(in.deadLetter.getReason()).isEqualTo("EVENT_TIME_TOO_OLD");
    }
  }

  @Nested
  class NegativeTokenCounts {

    @ParameterizedTest(name = "prompt {0}, completion {1}")
    @CsvSource({"-1, 10", "10, -1", "-2147483648, -2147483648"})
    void negativeCountsAreDeadLettered(int prompt, int completion) {
      ApiCall call = call();
      call.setPromptTokens(prompt);
      call.setCompletionTokens(completion);
      assertThat(rejected(ingest(call), RejectReason.NEGATIVE_TOKENS).getDetail())
          .contains("prompt_tokens " + prompt).contains("completion_tokens " + completion);
    }

    @Test
    void theLargestCountsAreCalls() {
      ApiCall call = call();
      call.setPromptTokens(Integer.MAX_VALUE);
      call.setCompletionTokens(Integer.MAX_VALUE);
      assertThat(accepted(ingest(call)).getPromptTokens()).isEqualTo(Integer.MAX_VALUE);
    }
  }

  @Nested
  class EnormousStrings {

    @ParameterizedTest
    @ValueSource(strings = {"request_id", "account_id", "model", "client_ip"})
    void anEnormousKeyFieldIsDeadLetteredWithAShortDetail(String field) {
      GenericRecord record = generic(call(), ApiCall.getClassSchema(), Map.of());
      record.put(field, "x".repeat(100_000));
      DeadLetter letter = rejected(encode(record), RejectReason.VALUE_TOO_LONG);
      assertThat(letter.getDetail()).startsWith(field + " is 100000 characters long").hasSizeLessThan(200);
    }

    /** The user agent is the attacker's: the detector never reads it, and a huge one does not matter. */
    @Test
    void anEnormousUserAgentOnAValidCallIsACall() {
      ApiCall call = call();
      call.setUserAgent("Mozilla/5.0 ".repeat(50_000));
      accepted(ingest(call));
    }

    @Test
    void anEnormousOptionalIdIsDroppedNotTheCall() {
      ApiCall call = call();
      call.setOrgId("o".repeat(500_000));
      call.setPaymentFingerprint("p".repeat(500_000));
      CallEvent event = accepted(ingest(call));
      assertThat(event.getOrgId()).isNull();
      assertThat(event.getPaymentFingerprint()).isNull();
    }

    /**
     * An invalid call that nearly fills a Kafka record: its dead letter keeps the first 256 KiB of it and
     * says so, so the dead letter itself always fits in a record (a dead letter too large for the
     * dead-letter topic would fail the sink, restart the job and fail again on the same record).
     */
    @Test
    void theDeadLetterOfAnEnormousRecordKeepsItsHeadAndFitsInAKafkaRecord() {
      ApiCall call = call();
      call.setClientIp("not an address");
      call.setUserAgent("A".repeat(1_000_000));
      byte[] value = AvroBinary.encode(call);
      byte[] key = "k".repeat(5_000).getBytes(StandardCharsets.UTF_8);
      DeadLetter letter = rejected(live.ingest(value, key, TOPIC, 3, 1234, T), RejectReason.INVALID_CLIENT_IP);

      assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(Arrays.copyOf(value, 262_144)));
      assertThat(letter.getOriginalKey()).isEqualTo(ByteBuffer.wrap(Arrays.copyOf(key, 1024)));
      assertThat(letter.getDetail()).contains("original value cut to its first 262144 of " + value.length + " bytes")
          .contains("original key cut to its first 1024 of 5000 bytes");
      assertThat(AvroBinary.encode(letter).length).isLessThan(300_000);
    }
  }

  /** The same request delivered twice counts once: see also DuplicateFilterHarnessTest. */
  @Nested
  class TheSameRequestIdTwice {

    @Test
    void redeliveriesAreDroppedCountedAndLeaveTheFeaturesAsIfSentOnce() throws Exception {
      List<ApiCall> once = new TestTraffic(7).burst("acct-redelivered", 20, 0x1234_5678_9ABC_DEF0L, 0, 5).calls();
      List<ApiCall> delivered = new ArrayList<>();
      int copies = 0;
      for (int i = 0; i < once.size(); i++) {
        delivered.add(once.get(i));
        if (i % 3 == 0) {
          delivered.add(once.get(i));
          delivered.add(once.get(i));
          copies += 2;
        }
      }
      JobRun run = JobRun.of(Calls.ingest(delivered, LIVE), LIVE);

      assertThat(run.read()).isEqualTo(delivered.size());
      assertThat(run.duplicates()).isEqualTo(copies);
      assertThat(run.processed()).isEqualTo(once.size());
      WindowFeatures all = run.accountFeatures.stream()
          .filter(f -> f.getWindowEnd() == TestTraffic.START + 10 * MINUTE).findFirst().orElseThrow();
      assertThat(all.getRequests()).isEqualTo(once.size()).isEqualTo(100);
    }

    /** The same request id from two accounts is two calls (an id is only unique within its account). */
    @Test
    void theSameIdFromAnotherAccountIsAnotherCall() throws Exception {
      ApiCall a = call();
      ApiCall b = call();
      b.setAccountId("acct-2");
      JobRun run = JobRun.of(Calls.ingest(List.of(a, b), LIVE), LIVE);
      assertThat(run.processed()).isEqualTo(2);
      assertThat(run.duplicates()).isZero();
    }
  }

  /**
   * A carrier NAT carrying a large share of all traffic and one account flooding from behind it. Every
   * call is processed (nothing sampled away, nothing stuck), the hot keys' windows count every one of
   * their calls, and the job ends. Throughput is the performance issue's benchmark.
   */
  @Nested
  class HotKeys {

    @Test
    void aCarrierNatAndAFloodingAccountAreProcessedInFull() throws Exception {
      List<ApiCall> calls = new ArrayList<>(new TestTraffic(11).organic(40, 0.5, 12).calls());
      int seq = 0;
      for (int a = 0; a < 1_500; a++) { // 1,500 accounts behind one /24, 8 calls each in ten minutes
        for (int k = 0; k < 8; k++) {
          long t = TestTraffic.START + (a * 7_919L + k * 75_000L) % (10 * MINUTE);
          calls.add(Calls.call("nat-" + seq++, t, "mobile-" + a, "100.64.0." + (a % 250 + 1), 0x5555L * a + k,
              Capability.CHAT, false));
        }
      }
      for (int i = 0; i < 24_000; i++) { // 40 a second for ten minutes, same subnet
        calls.add(Calls.call("flood-" + i, TestTraffic.START + i * 25L, "flooder", "100.64.0.99",
            0x0F0F_0F0FL ^ i, Capability.REASONING, true));
      }
      calls.sort(java.util.Comparator.comparing(ApiCall::getEventTime));
      long started = System.nanoTime();
      JobRun run = JobRun.of(Calls.ingest(calls, LIVE), LIVE);
      System.out.printf("hot keys: %,d calls through the topology in %.1f s%n", calls.size(),
          (System.nanoTime() - started) / 1e9);

      assertThat(run.processed()).isEqualTo(calls.size());
      assertThat(run.read()).isEqualTo(calls.size());
      long windowEnd = TestTraffic.START + 10 * MINUTE;
      WindowFeatures nat = run.subnetFeatures.stream()
          .filter(f -> f.getKey().equals("100.64.0.0/24") && f.getWindowEnd() == windowEnd).findFirst().orElseThrow();
      assertThat(nat.getRequests()).isEqualTo(1_500 * 8 + 24_000);
      WindowFeatures flooder = run.accountFeatures.stream()
          .filter(f -> f.getKey().equals("flooder") && f.getWindowEnd() == windowEnd).findFirst().orElseThrow();
      assertThat(flooder.getRequests()).isEqualTo(24_000);
      // The flood does not starve the other keys: the NAT is reported every minute it is in a window.
      assertThat(run.subnetFeatures.stream().filter(f -> f.getKey().equals("100.64.0.0/24")).count())
          .isGreaterThanOrEqualTo(10);
    }
  }

  // --- writing records with other schemas ------------------------------------------------------------

  private static Schema nullable(Schema.Type type) {
    return Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(type));
  }

  /**
   * {@code base} without {@code removed}, with {@code added} after the field {@code after} (at the end
   * when null, at the start when empty).
   */
  private static Schema edit(Schema base, List<String> removed, List<Schema.Field> added, String after) {
    List<Schema.Field> fields = new ArrayList<>();
    if ("".equals(after)) {
      added.forEach(f -> fields.add(new Schema.Field(f, f.schema())));
    }
    for (Schema.Field field : base.getFields()) {
      if (!removed.contains(field.name())) {
        fields.add(new Schema.Field(field, field.schema()));
      }
      if (field.name().equals(after)) {
        added.forEach(f -> fields.add(new Schema.Field(f, f.schema())));
      }
    }
    if (after == null) {
      added.forEach(f -> fields.add(new Schema.Field(f, f.schema())));
    }
    return Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
  }

  /** {@code call} as a generic record of {@code schema}: shared fields copied, {@code extra} set. */
  private static GenericRecord generic(ApiCall call, Schema schema, Map<String, Object> extra) {
    GenericRecord plain;
    try {
      plain = new GenericDatumReader<GenericRecord>(ApiCall.getClassSchema())
          .read(null, DecoderFactory.get().binaryDecoder(AvroBinary.encode(call), null));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    GenericRecord out = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      Object value = plain.getSchema().getField(field.name()) != null ? plain.get(field.name()) : null;
      if (field.schema().getType() == Schema.Type.ENUM && value != null) {
        value = new GenericData.EnumSymbol(field.schema(), value.toString());
      }
      out.put(field.name(), extra.getOrDefault(field.name(), value));
    }
    return out;
  }

  private static byte[] write(ApiCall call, Schema schema, Map<String, Object> extra) {
    return encode(generic(call, schema, extra));
  }

  private static byte[] encode(GenericRecord record) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    try {
      new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }
}
