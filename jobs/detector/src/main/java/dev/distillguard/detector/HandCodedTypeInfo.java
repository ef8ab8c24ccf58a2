package dev.distillguard.detector;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of a stream of Avro records that cross the network with a {@link HandCodedAvroSerializer}: the
 * bytes of Flink's Avro serializer, written and read without Avro's schema walk. For records that never sit
 * in state: calls, whose nullable fields cost Avro's writer a union lookup by schema name each.
 *
 * @param <T> the record
 */
public final class HandCodedTypeInfo<T extends SpecificRecord> extends TypeInformation<T> {

  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private final HandCodedAvroSerializer.DeepCopy<T> copy;
  private final HandCodedAvroSerializer.Encoding<T> encoding;
  private final HandCodedAvroSerializer.Decoding<T> decoding;

  public HandCodedTypeInfo(Class<T> type, HandCodedAvroSerializer.DeepCopy<T> copy,
      HandCodedAvroSerializer.Encoding<T> encoding, HandCodedAvroSerializer.Decoding<T> decoding) {
    this.type = type;
    this.copy = copy;
    this.encoding = encoding;
    this.decoding = decoding;
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return new HandCodedAvroSerializer<>(type, copy, encoding, decoding);
  }

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<T> getTypeClass() {
    return type;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public String toString() {
    return "HandCodedTypeInfo<" + type.getName() + ">";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HandCodedTypeInfo<?> that && that.canEqual(this) && type.equals(that.type);
  }

  @Override
  public int hashCode() {
    return Objects.hash(HandCodedTypeInfo.class, type);
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof HandCodedTypeInfo;
  }
}
