package dev.distillguard.detector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.DeadLetter;
import dev.distillguard.detector.DetectorKafka;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.WindowFeatures;
import dev.distillguard.detector.testing.JobRun;
import dev.distillguard.detector.testing.TestTraffic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every record read is accounted for exactly once, on a stream mixing good calls with garbage, invalid
 * calls, redeliveries and late calls: read = processed + dead-lettered + duplicate + late, from the job's
 * accumulators (the same counts as its metrics), and each category holds exactly the records put in it.
 */
class IngestReconciliationTest {

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  private static final long MINUTE = 60_000;
  private static final long TEMPLATE = 0x5DEECE66DL * 0x9E3779B97F4A7C15L;

  /** What went into the stream, by what the job must do with it. */
  private static final class MixedStream {
    final List<byte[]> values = new ArrayList<>();
    final List<byte[]> headers = new ArrayList<>();
    final List<Long> timestamps = new ArrayList<>();
    final List<String> deadLetterReasons = new ArrayList<>();
    final Set<Long> duplicateRanks = new HashSet<>();
    final Set<Long> lateRanks = new HashSet<>();
    final Set<Long> lateCopyRanks = new HashSet<>();
    int goodCalls;

    void add(byte[] value, long timestamp) {
      add(value, null, timestamp);
    }

    void add(byte[] value, byte[] header, long timestamp) {
      values.add(value);
      headers.add(header);
      timestamps.add(timestamp);
    }
  }

  private static MixedStream mixedStream() {
    List<ApiCall> good = new TestTraffic(3)
        .organic(60, 0.5, 40)
        .burst("bursty", 40, TEMPLATE, 5, 20)
        .calls();
    MixedStream s = new MixedStream();
    long maxSoFar = Long.MIN_VALUE;
    int lateFresh = 0;
    for (int i = 0; i < good.size(); i++) {
      ApiCall call = good.get(i);
      long t = call.getEventTime().toEpochMilli();
      maxSoFar = Math.max(maxSoFar, t);
      byte[] bytes = AvroBinary.encode(call);
      s.add(bytes, t);
      s.goodCalls++;
      if (i % 50 == 7) {
        // A redelivery right behind the original: a duplicate.
        s.add(bytes, t);
        s.duplicateRanks.add(CallValidator.requestRank(call.getRequestId()));
      }
      if (i % 97 == 13) {
        // A garbage record and an invalid call among the good ones.
        s.add(new byte[] {0x02, (byte) 0xff, 0x7f, 0x00}, t);
        s.deadLetterReasons.add("UNDECODABLE");
        s.add(AvroBinary.encode(ApiCall.newBuilder(call).setRequestId("bad-ip-" + i).setClientIp("10.0.0.256").build()), t);
        s.deadLetterReasons.add("INVALID_CLIENT_IP");
      }
      if (i % 211 == 101 && i > 500) {
        // A new call five minutes behind the stream: late.
        ApiCall late = ApiCall.newBuilder(call).setRequestId("late-" + lateFresh++)
            .setEventTime(Instant.ofEpochMilli(maxSoFar - 5 * MINUTE)).build();
        s.add(AvroBinary.encode(late), maxSoFar - 5 * MINUTE);
        s.lateRanks.add(CallValidator.requestRank(late.getRequestId()));
        // And a redelivery of a call from four minutes back: late too, so it counts as late, not duplicate.
        ApiCall earlier = earlierThan(good, i, maxSoFar - 4 * MINUTE);
        s.add(AvroBinary.encode(earlier), earlier.getEventTime().toEpochMilli());
        s.lateCopyRanks.add(CallValidator.requestRank(earlier.getRequestId()));
      }
    }
    long end = maxSoFar;
    s.add(new byte[0], end);
    s.deadLetterReasons.add("EMPTY_RECORD");
    s.add(null, end);
    s.deadLetterReasons.add("EMPTY_RECORD");
    ApiCall last = good.get(good.size() - 1);
    s.add(AvroBinary.encode(ApiCall.newBuilder(last).setRequestId("negative").setPromptTokens(-3).build()), end);
    s.deadLetterReasons.add("NEGATIVE_TOKENS");
    s.add(AvroBinary.encode(ApiCall.newBuilder(last).setRequestId("").build()), end);
    s.deadLetterReasons.add("MISSING_REQUIRED_VALUE");
    s.add(AvroBinary.encode(ApiCall.newBuilder(last).setRequestId("future")
        .setEventTime(Instant.ofEpochMilli(end + 10 * MINUTE)).build()), end);
    s.deadLetterReasons.add("EVENT_TIME_IN_FUTURE");
    s.add(AvroBinary.encode(last), "0123456789abcdef".getBytes(StandardCharsets.US_ASCII), end);
    s.deadLetterReasons.add("UNKNOWN_WRITER_SCHEMA");
    return s;
  }

  private static ApiCall earlierThan(List<ApiCall> calls, int from, long notAfter) {
    for (int j = from; j >= 0; j--) {
      if (calls.get(j).getEventTime().toEpochMilli() <= notAfter) {
        return calls.get(j);
      }
    }
    throw new IllegalStateException("no call before " + notAfter);
  }

  private static JobRun run(MixedStream s, DetectorConfig config) throws Exception {
    GatewayRecordDeserializer deserializer = DetectorKafka.deserializer(config);
    List<Ingested> ingested = new ArrayList<>();
    for (int i = 0; i < s.values.size(); i++) {
      ingested.add(deserializer.ingest(s.values.get(i), "k".getBytes(StandardCharsets.UTF_8), s.headers.get(i),
          "gateway.api-calls", 0, i, s.timestamps.get(i)));
    }
    return JobRun.of(ingested, config);
  }

  @Test
  void everyRecordIsProcessedDeadLetteredDuplicateOrLateExactlyOnce() throws Exception {
    MixedStream s = mixedStream();
    assertThat(s.duplicateRanks).hasSizeGreaterThan(10);
    assertThat(s.lateRanks).hasSizeGreaterThan(2);
    JobRun run = run(s, DetectorConfig.defaults());

    assertThat(run.read()).isEqualTo(s.values.size());
    assertThat(run.read()).isEqualTo(run.processed() + run.deadLettered() + run.duplicates() + run.late());

    assertThat(run.deadLettered()).isEqualTo(s.deadLetterReasons.size());
    assertThat(run.deadLetters).extracting(DeadLetter::getReason)
        .containsExactlyInAnyOrderElementsOf(s.deadLetterReasons);
    assertThat(run.duplicates()).isEqualTo(s.duplicateRanks.size());
    assertThat(run.duplicateCalls).extracting(CallEvent::getRank)
        .containsExactlyInAnyOrderElementsOf(s.duplicateRanks);
    assertThat(run.late()).isEqualTo(s.lateRanks.size() + s.lateCopyRanks.size());
    Set<Long> late = new HashSet<>(s.lateRanks);
    late.addAll(s.lateCopyRanks);
    assertThat(run.lateCalls).extracting(CallEvent::getRank).containsExactlyInAnyOrderElementsOf(late);
    assertThat(run.processed()).isEqualTo(s.goodCalls);

    // The key spaces saw each good call once: the bursty account's first full window counts every call.
    WindowFeatures burst = run.accountFeatures.stream().filter(f -> f.getKey().equals("bursty"))
        .filter(f -> f.getWindowStart() == TestTraffic.START + 5 * MINUTE).findFirst().orElseThrow();
    assertThat(burst.getRequests()).isEqualTo(400);
  }

  /**
   * The allowed lateness decides what is late. At its largest (window - slide), the calls five minutes
   * behind still count, and the old redeliveries find their first copy: they become duplicates.
   */
  @Test
  void allowedLatenessMovesCallsFromLateToProcessedAndTheCountsStillReconcile() throws Exception {
    MixedStream s = mixedStream();
    JobRun run = run(s, DetectorConfig.fromArgs("--watermark.allowed-lateness", "9m"));

    assertThat(run.late()).isZero();
    assertThat(run.processed()).isEqualTo(s.goodCalls + s.lateRanks.size());
    assertThat(run.duplicates()).isEqualTo(s.duplicateRanks.size() + s.lateCopyRanks.size());
    assertThat(run.read()).isEqualTo(s.values.size())
        .isEqualTo(run.processed() + run.deadLettered() + run.duplicates() + run.late());
  }
}
