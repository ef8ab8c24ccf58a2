package dev.distillguard.detector.ingest;

import org.apache.avro.Schema;

/**
 * Walks Avro binary against its schema before anything is decoded, checking every length and index
 * against the bytes actually there. Avro's decoder allocates whatever a string claims to hold before it
 * notices the bytes are missing, so six hostile bytes claiming a 2 GiB string would otherwise take the
 * whole TaskManager down, on every restart, at the same offset.
 */
public final class AvroBinaryGuard {

  private AvroBinaryGuard() {}

  /** Why the bytes cannot be a {@code schema} record, or null when their shape fits. */
  public static String check(Schema schema, byte[] bytes) {
    Cursor cursor = new Cursor(bytes);
    try {
      skip(schema, cursor, 0);
      return null;
    } catch (Malformed e) {
      return e.getMessage() + " at byte " + cursor.pos;
    }
  }

  private static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private static final class Cursor {
    final byte[] bytes;
    int pos;

    Cursor(byte[] bytes) {
      this.bytes = bytes;
    }

    int remaining() {
      return bytes.length - pos;
    }

    void advance(long n, String what) throws Malformed {
      if (n < 0 || n > remaining()) {
        throw new Malformed(what + " of " + n + " bytes with " + remaining() + " left");
      }
      pos += (int) n;
    }

    long varLong(int maxBytes) throws Malformed {
      long raw = 0;
      for (int shift = 0, i = 0; i < maxBytes; i++, shift += 7) {
        if (pos >= bytes.length) {
          throw new Malformed("truncated number");
        }
        int b = bytes[pos++] & 0xff;
        raw |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return (raw >>> 1) ^ -(raw & 1);
        }
      }
      throw new Malformed("number longer than " + maxBytes + " bytes");
    }
  }

  private static void skip(Schema schema, Cursor in, int depth) throws Malformed {
    if (depth > 32) {
      throw new Malformed("nesting deeper than 32");
    }
    switch (schema.getType()) {
      case NULL -> { }
      case BOOLEAN -> {
        in.advance(1, "boolean");
        if ((in.bytes[in.pos - 1] & 0xfe) != 0) {
          throw new Malformed("boolean byte " + in.bytes[in.pos - 1]);
        }
      }
      case INT -> in.varLong(5);
      case LONG -> in.varLong(10);
      case FLOAT -> in.advance(4, "float");
      case DOUBLE -> in.advance(8, "double");
      case STRING, BYTES -> in.advance(in.varLong(10), schema.getType().getName());
      case FIXED -> in.advance(schema.getFixedSize(), "fixed");
      case ENUM -> {
        long index = in.varLong(5);
        if (index < 0 || index >= schema.getEnumSymbols().size()) {
          throw new Malformed("enum " + schema.getName() + " index " + index);
        }
      }
      case UNION -> {
        long branch = in.varLong(5);
        if (branch < 0 || branch >= schema.getTypes().size()) {
          throw new Malformed("union branch " + branch);
        }
        skip(schema.getTypes().get((int) branch), in, depth + 1);
      }
      case RECORD -> {
        for (Schema.Field field : schema.getFields()) {
          skip(field.schema(), in, depth + 1);
        }
      }
      case ARRAY, MAP -> {
        long count;
        while ((count = in.varLong(10)) != 0) {
          if (count < 0) {
            count = -count;
            in.varLong(10); // the block's size in bytes
          }
          // An item takes at least one byte unless it is null: a count beyond the bytes left is a lie.
          if (count > in.remaining() + 1) {
            throw new Malformed(schema.getType().getName() + " block of " + count + " items");
          }
          for (long i = 0; i < count; i++) {
            if (schema.getType() == Schema.Type.MAP) {
              in.advance(in.varLong(10), "map key");
              skip(schema.getValueType(), in, depth + 1);
            } else {
              skip(schema.getElementType(), in, depth + 1);
            }
          }
        }
      }
      default -> throw new Malformed("unsupported type " + schema.getType());
    }
  }
}
