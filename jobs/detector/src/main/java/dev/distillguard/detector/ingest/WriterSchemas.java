package dev.distillguard.detector.ingest;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.ReleasedSchemas;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * The ApiCall schemas the detector can read, by the fingerprint a writer names in the
 * {@value AvroBinary#SCHEMA_HEADER} header, and the one a record without the header was written with.
 *
 * <p>Every schema here must be readable into the detector's own ApiCall (Avro schema resolution: fields
 * the writer lacks take the reader's defaults, fields the reader lacks are skipped); the constructor
 * refuses one that is not, so a bad release fails the job at start, not record by record.
 */
public final class WriterSchemas implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Schema JSON by fingerprint: Avro's Schema is not reliably serializable across versions. */
  private final Map<String, String> byFingerprint;
  private final String headerless;

  private WriterSchemas(Schema headerless, List<Schema> known) {
    Map<String, String> map = new LinkedHashMap<>();
    for (Schema schema : known) {
      SchemaCompatibility.SchemaPairCompatibility compatibility =
          SchemaCompatibility.checkReaderWriterCompatibility(ApiCall.getClassSchema(), schema);
      if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
        throw new IllegalArgumentException("the detector cannot read ApiCall written with " + AvroBinary.fingerprint(schema)
            + ": " + compatibility.getResult().getIncompatibilities());
      }
      map.put(AvroBinary.fingerprint(schema), schema.toString());
    }
    if (!map.containsKey(AvroBinary.fingerprint(headerless))) {
      throw new IllegalArgumentException("the schema of records without a header must be one of the known schemas");
    }
    this.byFingerprint = map;
    this.headerless = AvroBinary.fingerprint(headerless);
  }

  /**
   * What the job reads: every released ApiCall version and the one compiled into this build; records
   * without a header were written with version 1.
   */
  public static WriterSchemas released() {
    List<Schema> known = new ArrayList<>(ReleasedSchemas.of("ApiCall"));
    if (known.isEmpty()) {
      throw new IllegalStateException("no released ApiCall schema on the classpath");
    }
    known.add(ApiCall.getClassSchema());
    return new WriterSchemas(known.get(0), known);
  }

  /** Exactly these schemas; records without a header were written with {@code headerless}. */
  public static WriterSchemas of(Schema headerless, Schema... others) {
    List<Schema> known = new ArrayList<>();
    known.add(headerless);
    known.addAll(List.of(others));
    return new WriterSchemas(headerless, known);
  }

  /** The fingerprint assumed for a record without the header. */
  public String headerlessFingerprint() {
    return headerless;
  }

  /** The JSON of the schema with {@code fingerprint}, or null when the detector does not know it. */
  String schemaJson(String fingerprint) {
    return byFingerprint.get(fingerprint);
  }

  public int size() {
    return byFingerprint.size();
  }
}
