package dev.distillguard.detector.ingest;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.DeadLetter;
import dev.distillguard.detector.model.CallEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Decodes gateway records and validates them, right in the source, so that each partition's watermark
 * comes from the event times of its own valid calls. Every record yields exactly one {@link Ingested}:
 * a call, or a dead letter with the original bytes and where they came from.
 *
 * <p>The writer's schema comes from the record's {@value AvroBinary#SCHEMA_HEADER} header, or is version 1
 * when there is none ({@link WriterSchemas}). A record naming a schema the detector does not know is
 * dead-lettered as {@link RejectReason#UNKNOWN_WRITER_SCHEMA}, even when that schema only appended
 * optional fields: Avro binary has no field tags, so without the writer's schema nothing tells appended
 * fields from inserted or reordered ones, and a prefix decode could read one field's bytes as another's
 * without any error. The dead letter keeps the bytes for a replay once the detector ships that contract.
 */
public final class GatewayRecordDeserializer implements KafkaRecordDeserializationSchema<Ingested> {

  private static final long serialVersionUID = 1L;

  /** Kafka keys are account ids: a longer one is kept only in part. */
  static final int MAX_ORIGINAL_KEY_BYTES = 1024;

  private final CallValidator validator;
  private final WriterSchemas writers;
  private final String detectorVersion;
  private final boolean rejectAheadOfClock;
  private final int maxOriginalBytes;

  private transient Map<String, SpecificDatumReader<ApiCall>> readers;
  private transient Map<String, Schema> schemas;
  private transient BinaryDecoder decoder;
  private transient ApiCall reused;

  /** Records written with the current ApiCall and no clock check: for tests of other parts. */
  public GatewayRecordDeserializer(CallValidator validator, String detectorVersion) {
    this(validator, WriterSchemas.released(), detectorVersion, false, 256 * 1024);
  }

  /**
   * @param rejectAheadOfClock also reject event times further ahead of this machine's clock than the
   *     validator's skew: a live job's defence against a producer whose clock (and so record timestamp)
   *     is wrong; a backfill replays the past and cannot apply it
   * @param maxOriginalBytes a dead letter keeps at most this many bytes of the original value, so a
   *     dead letter always fits in a Kafka record even when the original nearly filled one
   */
  public GatewayRecordDeserializer(CallValidator validator, WriterSchemas writers, String detectorVersion,
      boolean rejectAheadOfClock, int maxOriginalBytes) {
    this.validator = validator;
    this.writers = writers;
    this.detectorVersion = detectorVersion;
    this.rejectAheadOfClock = rejectAheadOfClock;
    this.maxOriginalBytes = maxOriginalBytes;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    init();
  }

  private void init() {
    readers = new HashMap<>();
    schemas = new HashMap<>();
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out) throws IOException {
    Header header = record.headers().lastHeader(AvroBinary.SCHEMA_HEADER);
    out.collect(ingest(record.value(), record.key(), header == null ? null : header.value(), record.topic(),
        record.partition(), record.offset(), record.timestamp()));
  }

  /** Decode and validate one record's bytes, written with the headerless (version 1) schema. */
  public Ingested ingest(byte[] value, byte[] key, String topic, int partition, long offset, long timestamp) {
    return ingest(value, key, null, topic, partition, offset, timestamp);
  }

  /**
   * Decode and validate one record's bytes.
   *
   * @param schemaHeader the value of the record's {@value AvroBinary#SCHEMA_HEADER} header, null if absent
   */
  public Ingested ingest(byte[] value, byte[] key, byte[] schemaHeader, String topic, int partition, long offset,
      long timestamp) {
    if (readers == null) {
      init();
    }
    Source source = new Source(value, key, topic, partition, offset, timestamp);
    if (value == null || value.length == 0) {
      return source.reject(RejectReason.EMPTY_RECORD, "the record has no value");
    }
    String fingerprint;
    if (schemaHeader == null) {
      fingerprint = writers.headerlessFingerprint();
    } else {
      fingerprint = fingerprintOf(schemaHeader);
      if (fingerprint == null) {
        return source.reject(RejectReason.UNKNOWN_WRITER_SCHEMA, "header " + AvroBinary.SCHEMA_HEADER + " is not a"
            + " schema fingerprint (16 hex digits): '" + printable(schemaHeader) + "'");
      }
    }
    Schema writer = schemas.get(fingerprint);
    if (writer == null) {
      String json = writers.schemaJson(fingerprint);
      if (json == null) {
        return source.reject(RejectReason.UNKNOWN_WRITER_SCHEMA, "written with ApiCall schema " + fingerprint
            + ", which this detector (" + detectorVersion + ") does not know; it reads " + writers.size()
            + " schema(s). Replay the record once a detector with that contract runs.");
      }
      writer = new Schema.Parser().parse(json);
      schemas.put(fingerprint, writer);
      readers.put(fingerprint, new SpecificDatumReader<>(writer, ApiCall.getClassSchema()));
    }
    String schemaNote = schemaHeader == null ? "" : " (schema " + fingerprint + ")";
    String malformed = AvroBinaryGuard.check(writer, value);
    if (malformed != null) {
      return source.reject(RejectReason.UNDECODABLE, "not an Avro ApiCall" + schemaNote + ": " + malformed);
    }
    ApiCall call;
    try {
      decoder = DecoderFactory.get().binaryDecoder(value, decoder);
      call = readers.get(fingerprint).read(reused, decoder);
      if (!decoder.isEnd()) {
        return source.reject(RejectReason.UNDECODABLE, "the value has bytes after a complete ApiCall" + schemaNote
            + ": written with a newer schema without the " + AvroBinary.SCHEMA_HEADER + " header?");
      }
    } catch (IOException | RuntimeException e) {
      return source.reject(RejectReason.UNDECODABLE, "not an Avro ApiCall" + schemaNote + ": " + e);
    }
    try {
      CallEvent event = validator.validate(call, timestamp, rejectAheadOfClock ? System.currentTimeMillis() : -1);
      reused = call;
      return Ingested.of(event);
    } catch (CallValidator.Rejected rejected) {
      return source.reject(rejected.reason(), rejected.getMessage());
    }
  }

  /** The header as a lower-case fingerprint, or null when it is not 16 hex digits. */
  private static String fingerprintOf(byte[] header) {
    if (header.length != 16) {
      return null;
    }
    char[] hex = new char[16];
    for (int i = 0; i < 16; i++) {
      char c = Character.toLowerCase((char) (header[i] & 0xff));
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
      hex[i] = c;
    }
    return new String(hex);
  }

  private static String printable(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, 40); i++) {
      int b = bytes[i] & 0xff;
      out.append(b >= 0x20 && b < 0x7f ? Character.toString(b) : String.format("\\x%02x", b));
    }
    return bytes.length > 40 ? out + "..." : out.toString();
  }

  /** Where a record came from, for its dead letter. */
  private final class Source {
    final byte[] value;
    final byte[] key;
    final String topic;
    final int partition;
    final long offset;
    final long timestamp;

    Source(byte[] value, byte[] key, String topic, int partition, long offset, long timestamp) {
      this.value = value;
      this.key = key;
      this.topic = topic;
      this.partition = partition;
      this.offset = offset;
      this.timestamp = timestamp;
    }

    Ingested reject(RejectReason reason, String detail) {
      StringBuilder text = new StringBuilder(detail.length() > 1000 ? detail.substring(0, 1000) + "..." : detail);
      DeadLetter letter = new DeadLetter();
      letter.setReason(reason.name());
      letter.setSourceTopic(topic);
      letter.setSourcePartition(partition);
      letter.setSourceOffset(offset);
      letter.setSourceTimestamp(Instant.ofEpochMilli(Math.max(0, timestamp)));
      letter.setOriginalKey(key == null ? null : ByteBuffer.wrap(kept(key, MAX_ORIGINAL_KEY_BYTES, "key", text)));
      letter.setOriginalValue(value == null ? null : ByteBuffer.wrap(kept(value, maxOriginalBytes, "value", text)));
      letter.setDetail(text.toString());
      letter.setDetectorVersion(detectorVersion);
      return Ingested.of(letter);
    }
  }

  private static byte[] kept(byte[] original, int max, String what, StringBuilder detail) {
    if (original.length <= max) {
      return original;
    }
    detail.append(" [original ").append(what).append(" cut to its first ").append(max).append(" of ")
        .append(original.length).append(" bytes]");
    return Arrays.copyOf(original, max);
  }

  @Override
  public TypeInformation<Ingested> getProducedType() {
    return TypeInformation.of(Ingested.class);
  }
}
