package dev.distillguard.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The wire format of every topic: plain Avro binary of one record, no header in the value. Kafka keys
 * are UTF-8 strings.
 *
 * <p>Avro binary does not say which schema wrote it, so a writer names its schema in the Kafka record
 * header {@value #SCHEMA_HEADER}: the 64-bit Avro parsing fingerprint (CRC-64-AVRO of the schema's
 * Parsing Canonical Form) as 16 lower-case hex digits. A record without the header was written with
 * version 1 of its contract (released before the header existed). Readers resolve the writer's schema
 * against their own, so fields added with defaults on either side are filled or skipped.
 */
public final class AvroBinary {

  /** Kafka record header naming the writer's schema by its fingerprint. */
  public static final String SCHEMA_HEADER = "avro-schema-fingerprint";

  private AvroBinary() {}

  /** The value of {@value #SCHEMA_HEADER} for records written with {@code schema}. */
  public static String fingerprint(Schema schema) {
    return String.format(java.util.Locale.ROOT, "%016x", SchemaNormalization.parsingFingerprint64(schema));
  }

  /** {@link #fingerprint(Schema)} as the header's bytes (US-ASCII). */
  public static byte[] fingerprintHeader(Schema schema) {
    return fingerprint(schema).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

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
