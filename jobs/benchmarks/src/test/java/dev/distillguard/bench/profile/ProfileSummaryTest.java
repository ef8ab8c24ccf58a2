package dev.distillguard.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileSummaryTest {

  private static volatile long sink;

  @Test
  void subtasksOfOneOperatorCountAsOneThread() {
    assertThat(ProfileSummary.threadName("template window features (1/2)#0")).isEqualTo("template window features");
    assertThat(ProfileSummary.threadName("template window features (2/2)#3")).isEqualTo("template window features");
    assertThat(ProfileSummary.threadName("Source: gateway calls (1/1)")).isEqualTo("Source: gateway calls");
    assertThat(ProfileSummary.threadName("AsyncOperations-thread-1")).isEqualTo("AsyncOperations-thread-1");
  }

  @Test
  void aBusyThreadsSamplesLandOnItAndOnTheMethodItSpinsIn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("spin.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
      recording.start();
      Thread a = spinner("spinner (1/2)#0");
      Thread b = spinner("spinner (2/2)#0");
      a.start();
      b.start();
      a.join();
      b.join();
      recording.stop();
      recording.dump(file);
    }

    ProfileSummary.Summary summary = ProfileSummary.summarize(file);

    ProfileSummary.ThreadSamples spinners = summary.threads().stream()
        .filter(t -> t.thread().equals("spinner")).findFirst().orElseThrow();
    assertThat(spinners.samples()).isGreaterThan(10);
    assertThat(summary.samples()).isGreaterThanOrEqualTo(spinners.samples());
    assertThat(spinners.inclusive()).containsKey("ProfileSummaryTest.spin");
    assertThat(spinners.inclusive().get("ProfileSummaryTest.spin")).isLessThanOrEqualTo(spinners.samples());
    assertThat(spinners.self().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(spinners.samples());

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ProfileSummary.print(summary, "spinner", 5, new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("execution samples")
        .contains("spinner: ")
        .contains("ProfileSummaryTest.spin");
  }

  @Test
  void threadsPastTheTopAreAddedUpInOneLine() {
    ProfileSummary.Summary summary = new ProfileSummary.Summary(10, List.of(
        new ProfileSummary.ThreadSamples("busy", 7, Map.of(), Map.of()),
        new ProfileSummary.ThreadSamples("less", 2, Map.of(), Map.of()),
        new ProfileSummary.ThreadSamples("idle", 1, Map.of(), Map.of())));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    ProfileSummary.print(summary, null, 1, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(printed.toString(StandardCharsets.UTF_8).lines())
        .containsExactly("10 execution samples", "       7  70.0%  busy", "       3  30.0%  (2 more threads)");
  }

  @Test
  void aMissingRecordingIsNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> ProfileSummary.summarize(dir.resolve("none.jfr")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("none.jfr");
  }

  private static Thread spinner(String name) {
    return new Thread(() -> spin(System.nanoTime() + Duration.ofMillis(400).toNanos()), name);
  }

  private static void spin(long until) {
    long x = 1;
    while (System.nanoTime() < until) {
      for (int i = 0; i < 10_000; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;
      }
    }
    sink = x;
  }
}
