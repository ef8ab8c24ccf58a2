package dev.distillguard.detector.ingest;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.DeadLetter;
import dev.distillguard.detector.model.CallEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes gateway records and validates them, right in the source, so that each partition's watermark
 * comes from the event times of its own valid calls. Every record yields exactly one {@link Ingested}:
 * a call, or a dead letter with the original bytes and where they came from.
 */
public final class GatewayRecordDeserializer implements KafkaRecordDeserializationSchema<Ingested> {

  private static final long serialVersionUID = 1L;

  private final CallValidator validator;
  private final String detectorVersion;

  private transient SpecificDatumReader<ApiCall> reader;
  private transient BinaryDecoder decoder;
  private transient ApiCall reused;

  public GatewayRecordDeserializer(CallValidator validator, String detectorVersion) {
    this.validator = validator;
    this.detectorVersion = detectorVersion;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    reader = new SpecificDatumReader<>(ApiCall.class);
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out) throws IOException {
    out.collect(ingest(record.value(), record.key(), record.topic(), record.partition(), record.offset(),
        record.timestamp()));
  }

  /** Decode and validate one record's bytes. */
  public Ingested ingest(byte[] value, byte[] key, String topic, int partition, long offset, long timestamp) {
    if (reader == null) {
      reader = new SpecificDatumReader<>(ApiCall.class);
    }
    if (value == null || value.length == 0) {
      return Ingested.of(deadLetter(RejectReason.EMPTY_RECORD, "the record has no value", value, key, topic,
          partition, offset, timestamp));
    }
    String malformed = AvroBinaryGuard.check(ApiCall.getClassSchema(), value);
    if (malformed != null) {
      return Ingested.of(deadLetter(RejectReason.UNDECODABLE, "not an Avro ApiCall: " + malformed, value, key, topic,
          partition, offset, timestamp));
    }
    ApiCall call;
    try {
      decoder = DecoderFactory.get().binaryDecoder(value, decoder);
      call = reader.read(reused, decoder);
      if (!decoder.isEnd()) {
        return Ingested.of(deadLetter(RejectReason.UNDECODABLE, "the value has bytes after a complete ApiCall: "
            + "written with another schema?", value, key, topic, partition, offset, timestamp));
      }
    } catch (IOException | RuntimeException e) {
      return Ingested.of(deadLetter(RejectReason.UNDECODABLE, "not an Avro ApiCall: " + e, value, key, topic,
          partition, offset, timestamp));
    }
    try {
      CallEvent event = validator.validate(call, timestamp);
      reused = call;
      return Ingested.of(event);
    } catch (CallValidator.Rejected rejected) {
      return Ingested.of(deadLetter(rejected.reason(), rejected.getMessage(), value, key, topic, partition, offset,
          timestamp));
    }
  }

  private DeadLetter deadLetter(RejectReason reason, String detail, byte[] value, byte[] key, String topic,
      int partition, long offset, long timestamp) {
    DeadLetter letter = new DeadLetter();
    letter.setReason(reason.name());
    letter.setDetail(detail.length() > 1000 ? detail.substring(0, 1000) + "..." : detail);
    letter.setSourceTopic(topic);
    letter.setSourcePartition(partition);
    letter.setSourceOffset(offset);
    letter.setSourceTimestamp(Instant.ofEpochMilli(Math.max(0, timestamp)));
    letter.setOriginalKey(key == null ? null : ByteBuffer.wrap(key));
    letter.setOriginalValue(value == null ? null : ByteBuffer.wrap(value));
    letter.setDetectorVersion(detectorVersion);
    return letter;
  }

  @Override
  public TypeInformation<Ingested> getProducedType() {
    return TypeInformation.of(Ingested.class);
  }
}
