package dev.distillguard.simulate;

import dev.distillguard.contract.ApiCall;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The gateway topic's wire format: one ApiCall as plain Avro binary, no schema registry id and no
 * single-object header, exactly what the gateway writes. Reuses its buffers, so one instance per thread.
 */
public final class ApiCallAvro {

  private final SpecificDatumWriter<ApiCall> writer = new SpecificDatumWriter<>(ApiCall.class);
  private final SpecificDatumReader<ApiCall> reader = new SpecificDatumReader<>(ApiCall.class);
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
  private BinaryEncoder encoder;
  private BinaryDecoder decoder;

  public byte[] encode(ApiCall call) {
    buffer.reset();
    encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
    try {
      writer.write(call, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode call " + call.getRequestId(), e);
    }
    return buffer.toByteArray();
  }

  public ApiCall decode(byte[] bytes) {
    decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
    try {
      return reader.read(null, decoder);
    } catch (IOException e) {
      throw new UncheckedIOException("not an Avro ApiCall", e);
    }
  }
}
