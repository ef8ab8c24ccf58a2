package dev.distillguard.workbench.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.DetectionPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * Policy files, YAML or JSON (JSON is YAML), with the contract's field names. Strict: an unknown field,
 * a missing required one or a value of the wrong type is an error naming where it is, so a typo never
 * publishes a policy that silently means something else.
 */
public final class PolicyFiles {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private PolicyFiles() {}

  public static DetectionPolicy read(Path file) throws IOException {
    return parse(Files.readString(file));
  }

  public static DetectionPolicy parse(String text) throws IOException {
    JsonNode root = YAML.readTree(text);
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("a policy file holds one mapping (object) at its top level");
    }
    Object record = convert(DetectionPolicy.getClassSchema(), root, "policy");
    // Through the binary form, so the contract's own reader applies its logical types (instants).
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
    new org.apache.avro.generic.GenericDatumWriter<Object>(DetectionPolicy.getClassSchema()).write(record, encoder);
    encoder.flush();
    return AvroBinary.decode(bytes.toByteArray(), DetectionPolicy.class);
  }

  private static Object convert(Schema schema, JsonNode node, String where) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!node.isObject()) {
          throw error(where, "a mapping");
        }
        Set<String> known = new HashSet<>();
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
          known.add(field.name());
          JsonNode value = node.get(field.name());
          String at = where + "." + field.name();
          if (value == null) {
            if (!field.hasDefaultValue()) {
              throw new IllegalArgumentException(at + " is required");
            }
            record.put(field.name(), GenericData.get().deepCopy(field.schema(), GenericData.get().getDefaultValue(field)));
          } else {
            record.put(field.name(), convert(field.schema(), value, at));
          }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          String name = it.next().getKey();
          if (!known.contains(name)) {
            throw new IllegalArgumentException(where + ": unknown field '" + name + "' (known: " + known + ")");
          }
        }
        return record;
      }
      case UNION -> {
        if (node.isNull()) {
          if (schema.getTypes().stream().noneMatch(s -> s.getType() == Schema.Type.NULL)) {
            throw error(where, "a value");
          }
          return null;
        }
        Schema branch = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst()
            .orElseThrow();
        return convert(branch, node, where);
      }
      case ARRAY -> {
        if (!node.isArray()) {
          throw error(where, "a list");
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
          out.add(convert(schema.getElementType(), node.get(i), where + "[" + i + "]"));
        }
        return new GenericData.Array<>(schema, out);
      }
      case ENUM -> {
        if (!node.isTextual() || !schema.getEnumSymbols().contains(node.asText())) {
          throw error(where, "one of " + schema.getEnumSymbols());
        }
        return new GenericData.EnumSymbol(schema, node.asText());
      }
      case STRING -> {
        if (!node.isTextual()) {
          throw error(where, "text");
        }
        return node.asText();
      }
      case INT -> {
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
          throw error(where, "a whole number");
        }
        return node.asInt();
      }
      case LONG -> {
        if (schema.getLogicalType() != null && node.isTextual()) {
          try {
            return Instant.parse(node.asText()).toEpochMilli();
          } catch (DateTimeParseException e) {
            throw error(where, "an ISO-8601 instant such as 2025-06-02T09:00:00Z");
          }
        }
        if (!node.isIntegralNumber()) {
          throw error(where, "a whole number");
        }
        return node.asLong();
      }
      case DOUBLE -> {
        if (!node.isNumber()) {
          throw error(where, "a number");
        }
        return node.asDouble();
      }
      case BOOLEAN -> {
        if (!node.isBoolean()) {
          throw error(where, "true or false");
        }
        return node.asBoolean();
      }
      default -> throw new IllegalStateException("no conversion for " + schema.getType() + " at " + where);
    }
  }

  private static IllegalArgumentException error(String where, String expected) {
    return new IllegalArgumentException(where + " must be " + expected);
  }
}
