package dev.distillguard.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The wire format of every topic: plain Avro binary of one record, no header, written and read with
 * the schema compiled into this artifact. Kafka keys are UTF-8 strings.
 */
public final class AvroBinary {

  private AvroBinary() {}

  public static <T extends SpecificRecord> byte[] encode(T record) {
    @SuppressWarnings("unchecked")
    SpecificDatumWriter<T> writer = new SpecificDatumWriter<>((Class<T>) record.getClass());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
    SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
    try {
      return reader.read(null, decoder);
    } catch (IOException e) {
      throw new UncheckedIOException("not a " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
