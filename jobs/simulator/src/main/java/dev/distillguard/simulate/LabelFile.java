package dev.distillguard.simulate;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The side file of ground truth: one CSV line per call, keyed by request id, written next to the topic
 * so an evaluation can join the detector's decisions to the labels. Values never contain commas,
 * quotes or line breaks (the writer refuses them), so the CSV needs no quoting.
 */
public final class LabelFile {

  public static final String HEADER = "request_id,account_id,scenario,population,campaign,campaign_id,shared_address";

  /** One line of the file. */
  public record Row(String requestId, String accountId, Label label) {}

  private LabelFile() {}

  public static Writer writer(Path file) {
    return new Writer(file);
  }

  /** The rows of a label file, lazily; close the stream to close the file. */
  public static Stream<Row> read(Path file) {
    BufferedReader reader;
    try {
      reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
      String header = reader.readLine();
      if (!HEADER.equals(header)) {
        reader.close();
        throw new IllegalArgumentException(file + " is not a label file: header " + header);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return reader.lines().map(LabelFile::parse).onClose(() -> {
      try {
        reader.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static Row parse(String line) {
    String[] f = line.split(",", -1);
    if (f.length != 7) {
      throw new IllegalArgumentException("a label line has 7 fields: " + line);
    }
    return new Row(f[0], f[1], new Label(f[2], f[3], Boolean.parseBoolean(f[4]), f[5].isEmpty() ? null : f[5],
        Boolean.parseBoolean(f[6])));
  }

  /** Appends labels of calls to a new file. */
  public static final class Writer implements Consumer<LabelledCall>, AutoCloseable {
    private final BufferedWriter out;

    private Writer(Path file) {
      try {
        out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
        out.write(HEADER);
        out.write('\n');
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }

    @Override
    public void accept(LabelledCall call) {
      Label label = call.label();
      try {
        out.write(checked(call.call().getRequestId()));
        out.write(',');
        out.write(checked(call.call().getAccountId()));
        out.write(',');
        out.write(checked(label.scenario()));
        out.write(',');
        out.write(checked(label.population()));
        out.write(',');
        out.write(Boolean.toString(label.campaign()));
        out.write(',');
        out.write(label.campaignId() == null ? "" : checked(label.campaignId()));
        out.write(',');
        out.write(Boolean.toString(label.sharedAddress()));
        out.write('\n');
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write labels", e);
      }
    }

    @Override
    public void close() {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write labels", e);
      }
    }

    private static String checked(String value) {
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == ',' || c == '"' || c == '\n' || c == '\r') {
          throw new IllegalArgumentException("label value needs CSV quoting, which the label file avoids: " + value);
        }
      }
      return value;
    }
  }
}
