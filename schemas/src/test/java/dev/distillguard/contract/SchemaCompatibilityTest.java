package dev.distillguard.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contracts must stay readable both ways against the released version committed under
 * {@code src/main/resources/dev/distillguard/contract/released/}: the detector reads events written by gateways that are older
 * (backward) and newer (forward) than itself, and rate limiters read decisions written by detectors of
 * either age. A change that breaks either direction fails here; release a new major version instead.
 */
class SchemaCompatibilityTest {


  static Stream<Arguments> contracts() {
    return Stream.of(
        Arguments.of("ApiCall.avsc", ApiCall.getClassSchema()),
        Arguments.of("ThrottleDecision.avsc", ThrottleDecision.getClassSchema()),
        Arguments.of("DeadLetter.avsc", DeadLetter.getClassSchema()),
        Arguments.of("DetectionPolicy.avsc", DetectionPolicy.getClassSchema()),
        Arguments.of("PolicyStatus.avsc", PolicyStatus.getClassSchema()));
  }

  @ParameterizedTest(name = "{0}: current reads released data")
  @MethodSource("contracts")
  void backwardCompatibleWithReleased(String file, Schema current) throws IOException {
    Schema released = released(file);
    assertThat(incompatibilities(current, released)).isEmpty();
  }

  @ParameterizedTest(name = "{0}: released reads current data")
  @MethodSource("contracts")
  void forwardCompatibleWithReleased(String file, Schema current) throws IOException {
    Schema released = released(file);
    assertThat(incompatibilities(released, current)).isEmpty();
  }

  @Test
  void anOptionalFieldWithDefaultIsAnAllowedChange() throws IOException {
    Schema evolved = withExtraField(released("ApiCall.avsc"),
        "{\"name\":\"region\",\"type\":[\"null\",\"string\"],\"default\":null}");
    assertThat(incompatibilities(evolved, released("ApiCall.avsc"))).isEmpty();
    assertThat(incompatibilities(released("ApiCall.avsc"), evolved)).isEmpty();
  }

  @Test
  void aRequiredFieldWithoutDefaultIsCaught() throws IOException {
    Schema broken = withExtraField(released("ApiCall.avsc"), "{\"name\":\"region\",\"type\":\"string\"}");
    assertThat(incompatibilities(broken, released("ApiCall.avsc"))).isNotEmpty();
  }

  @Test
  void aChangedFieldTypeIsCaught() throws IOException {
    String json = released("ThrottleDecision.avsc").toString()
        .replace("{\"name\":\"score\",\"type\":\"double\"", "{\"name\":\"score\",\"type\":\"string\"");
    Schema broken = new Schema.Parser().parse(json);
    assertThat(incompatibilities(broken, released("ThrottleDecision.avsc"))).isNotEmpty();
  }

  private static String incompatibilities(Schema reader, Schema writer) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return "";
    }
    return result.getResult().getIncompatibilities().toString();
  }

  private static Schema withExtraField(Schema base, String fieldJson) {
    String json = base.toString();
    int fieldsEnd = json.lastIndexOf(']');
    return new Schema.Parser().parse(json.substring(0, fieldsEnd) + "," + fieldJson + json.substring(fieldsEnd));
  }

  private static Schema released(String file) throws IOException {
    Schema schema = ReleasedSchemas.version(file.replace(".avsc", ""), 1);
    assertThat(schema).as("released schema %s", file).isNotNull();
    return schema;
  }

  @Test
  void releasedVersionsAreListedInOrderAndEndAtTheFirstGap() {
    assertThat(ReleasedSchemas.of("ApiCall")).hasSizeGreaterThanOrEqualTo(1);
    assertThat(ReleasedSchemas.of("ApiCall").get(0)).isEqualTo(ReleasedSchemas.version("ApiCall", 1));
    assertThat(ReleasedSchemas.of("NoSuchRecord")).isEmpty();
  }

  /** The header value is the standard Avro fingerprint, so any Avro library can compute it. */
  @Test
  void theSchemaHeaderIsTheParsingFingerprintInHex() {
    String fingerprint = AvroBinary.fingerprint(ApiCall.getClassSchema());
    assertThat(fingerprint).matches("[0-9a-f]{16}");
    assertThat(Long.parseUnsignedLong(fingerprint, 16))
        .isEqualTo(org.apache.avro.SchemaNormalization.parsingFingerprint64(ApiCall.getClassSchema()));
    // Docs do not change the fingerprint; fields do.
    assertThat(AvroBinary.fingerprint(withExtraField(ApiCall.getClassSchema(),
        "{\"name\":\"region\",\"type\":[\"null\",\"string\"],\"default\":null}"))).isNotEqualTo(fingerprint);
  }
}
