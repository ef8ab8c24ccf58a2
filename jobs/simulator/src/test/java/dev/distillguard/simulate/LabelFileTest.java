package dev.distillguard.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelFileTest {

  @TempDir
  Path dir;

  @Test
  void labelsRoundTripThroughTheCsvFile() throws Exception {
    List<LabelledCall> calls = Calls.of(ScenarioCatalogue.standard().scenario("hydra-in-proxy-10", 3, 0.05,
        Scenario.DEFAULT_START)).labelled;
    Path file = dir.resolve("labels.csv");
    try (LabelFile.Writer writer = LabelFile.writer(file)) {
      calls.forEach(writer);
    }
    assertThat(Files.readAllLines(file).get(0)).isEqualTo(LabelFile.HEADER);
    try (Stream<LabelFile.Row> rows = LabelFile.read(file)) {
      assertThat(rows.toList()).containsExactlyElementsOf(calls.stream()
          .map(c -> new LabelFile.Row(c.call().getRequestId(), c.call().getAccountId(), c.label())).toList());
    }
  }

  @Test
  void aFileWithoutTheHeaderIsRefused() throws Exception {
    Path file = dir.resolve("other.csv");
    Files.writeString(file, "a,b\n");
    assertThatThrownBy(() -> LabelFile.read(file)).hasMessageContaining("not a label file");
  }

  @Test
  void dryRunCountsPerPopulationAndWritesLabels() throws Exception {
    Path labels = dir.resolve("dry.csv");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = Simulate.run(new String[] {"--scenario", "single-account-burst", "--scale", "0.05", "--seed", "4",
        "--start", "2025-01-10T08:00:00Z", "--dry-run", "--labels", labels.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(status).isZero();
    assertThat(printed).contains("burst-account", "single-account-burst:c1", "organic-chat", "organic-api",
        "campaign events", "events/s");
    long events = Calls.of(ScenarioCatalogue.standard().scenario("single-account-burst", 4, 0.05,
        java.time.Instant.parse("2025-01-10T08:00:00Z"))).size();
    assertThat(printed).contains(events + " events,");
    try (Stream<LabelFile.Row> rows = LabelFile.read(labels)) {
      assertThat(rows.count()).isEqualTo(events);
    }
  }

  @Test
  void theCommandLineListsTheCatalogueAndRejectsUnknownArguments() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Simulate.run(new String[] {"--list"}, new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("hydra-cluster", "low-and-slow", "PT72H");
    assertThatThrownBy(() -> Simulate.run(new String[] {"--scenario"}, System.out))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Simulate.run(new String[] {"--scenario", "hydra-cluster"}, System.out))
        .hasMessageContaining("--labels");
  }
}
