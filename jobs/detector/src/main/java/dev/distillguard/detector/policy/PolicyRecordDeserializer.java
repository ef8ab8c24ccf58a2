package dev.distillguard.detector.policy;

import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.model.PolicyEnvelope;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Control records as read: the gate decodes and judges them, so a broken one is reported, not fatal. */
public final class PolicyRecordDeserializer implements KafkaRecordDeserializationSchema<PolicyEnvelope> {

  private static final long serialVersionUID = 1L;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<PolicyEnvelope> out) {
    out.collect(new PolicyEnvelope(record.value() == null ? null : ByteBuffer.wrap(record.value()),
        record.partition(), record.offset(), record.timestamp()));
  }

  @Override
  public TypeInformation<PolicyEnvelope> getProducedType() {
    return Descriptors.POLICY_ENVELOPE;
  }
}
