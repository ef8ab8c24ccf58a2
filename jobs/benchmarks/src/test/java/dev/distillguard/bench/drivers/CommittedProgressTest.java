package dev.distillguard.bench.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommittedProgressTest {

  private static final long SECOND = 1_000_000_000L;

  private static CommittedProgress.Sample at(double seconds, long committed) {
    return new CommittedProgress.Sample((long) (seconds * SECOND), committed);
  }

  @Test
  void theRateRunsFromTheFirstSampleAtHalfToTheJobsEnd() {
    // 1,000 calls; half committed at 10 s (after a slow start), the job done at 20 s.
    List<CommittedProgress.Sample> samples =
        List.of(at(0, 0), at(4, 0), at(8, 300), at(10, 500), at(12, 700), at(16, 900));

    assertThat(CommittedProgress.rateAfter(samples, 0.5, 1_000, 1_000, 20 * SECOND))
        .hasValueCloseTo(50.0, within(1e-9));
  }

  @Test
  void aSamplePastHalfCountsOnlyWhatWasLeftAfterIt() {
    // The first sample past half has 600 of 1,000 offsets: 400 calls in the 8 s after it.
    List<CommittedProgress.Sample> samples = List.of(at(2, 100), at(4, 600));

    assertThat(CommittedProgress.rateAfter(samples, 0.5, 1_000, 1_000, 12 * SECOND))
        .hasValueCloseTo(50.0, within(1e-9));
  }

  @Test
  void offsetsAreScaledToCallsWhenTheTopicHoldsMoreOffsetsThanCalls() {
    // 2,000 offsets for 1,000 calls (say, transaction markers): half the offsets is half the calls.
    List<CommittedProgress.Sample> samples = List.of(at(5, 1_000));

    assertThat(CommittedProgress.rateAfter(samples, 0.5, 2_000, 1_000, 15 * SECOND))
        .hasValueCloseTo(50.0, within(1e-9));
  }

  @Test
  void noRateWhenNoSampleReachedHalfOrTheSpanIsTooShort() {
    assertThat(CommittedProgress.rateAfter(List.of(at(5, 400)), 0.5, 1_000, 1_000, 20 * SECOND)).isEmpty();
    assertThat(CommittedProgress.rateAfter(List.of(), 0.5, 1_000, 1_000, 20 * SECOND)).isEmpty();
    assertThat(CommittedProgress.rateAfter(List.of(at(19.5, 600)), 0.5, 1_000, 1_000, 20 * SECOND)).isEmpty();
    // A sample taken after the job ended says nothing about its rate.
    assertThat(CommittedProgress.rateAfter(List.of(at(21, 1_000)), 0.5, 1_000, 1_000, 20 * SECOND)).isEmpty();
  }
}
