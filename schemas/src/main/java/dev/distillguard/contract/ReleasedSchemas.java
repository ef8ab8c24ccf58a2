package dev.distillguard.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every released version of a contract, as shipped under {@code dev/distillguard/contract/released/N/}.
 * A reader needs them because Avro binary names no schema: to read a record written by an older
 * producer, the reader must be handed the schema that producer wrote with.
 *
 * <p>Releasing a version means adding its directory here; {@code SchemaCompatibilityTest} then holds the
 * current schemas to it in both directions.
 */
public final class ReleasedSchemas {

  private static final String ROOT = "released/";

  private ReleasedSchemas() {}

  /** The released versions of {@code record} (e.g. {@code "ApiCall"}), version 1 first. */
  public static List<Schema> of(String record) {
    List<Schema> versions = new ArrayList<>();
    for (int version = 1; ; version++) {
      Schema schema = version(record, version);
      if (schema == null) {
        return versions;
      }
      versions.add(schema);
    }
  }

  /** Version {@code version} of {@code record}, or null if it was never released. */
  public static Schema version(String record, int version) {
    Schema.Parser parser = new Schema.Parser();
    if (record.equals("PolicyStatus")) {
      // A status embeds the policy it is about: its released schema names the released policy's.
      parse(parser, "DetectionPolicy", version);
    }
    return parse(parser, record, version);
  }

  private static Schema parse(Schema.Parser parser, String record, int version) {
    try (InputStream in = ReleasedSchemas.class.getResourceAsStream(ROOT + version + "/" + record + ".avsc")) {
      return in == null ? null : parser.parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read released " + record + " version " + version, e);
    }
  }
}
