package dev.distillguard.detector.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackfillProgressTest {

  @Test
  void whileReadingTheLineShowsTheShareTheRateAndTheTimeLeftToRead() {
    assertThat(Backfill.progressLine(250_000, 1_000_000, Duration.ofSeconds(10)))
        .isEqualTo("  read 250,000 of 1,000,000 (25.0%), 25,000 records/s, about 30 s left to read");
  }

  /** In BATCH the source is done long before the job: the line must not claim nothing is left. */
  @Test
  void onceAllIsReadTheLineSaysTheJobIsStillWorking() {
    assertThat(Backfill.progressLine(1_000_000, 1_000_000, Duration.ofSeconds(42)))
        .isEqualTo("  all 1,000,000 records read; computing windows and decisions, 42 s so far");
  }
}
