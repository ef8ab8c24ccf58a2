package dev.distillguard.bench.jmh;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.Capability;
import dev.distillguard.detector.DetectorKafka;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.ingest.GatewayRecordDeserializer;
import dev.distillguard.detector.ingest.Ingested;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding and validating one gateway record in the Kafka source, as the live job's deserializer does:
 * an Avro {@code ApiCall} of about 200 bytes, its writer's schema named in the record header the way the
 * gateway (and the simulator's {@code KafkaTrafficWriter}) names it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GatewayDecodeBenchmark {

  private static final String TOPIC = "gateway.api-calls";
  /** Distinct records taken in turn; a power of two, so rotating is a mask. */
  private static final int RECORDS = 8;

  private final byte[] schemaHeader = AvroBinary.fingerprintHeader(ApiCall.getClassSchema());
  private final byte[][] values = new byte[RECORDS][];
  private final byte[][] keys = new byte[RECORDS][];
  private final long[] timestamps = new long[RECORDS];
  private GatewayRecordDeserializer deserializer;
  private int next;

  @Setup
  public void setUp() {
    deserializer = DetectorKafka.deserializer(DetectorConfig.defaults());
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < RECORDS; i++) {
      ApiCall call = call(i, random);
      values[i] = AvroBinary.encode(call);
      keys[i] = call.getAccountId().getBytes(StandardCharsets.UTF_8);
      timestamps[i] = call.getEventTime().toEpochMilli();
      // A record the detector dead-letters takes another path; only an accepted call measures the decode.
      Ingested ingested = deserializer.ingest(values[i], keys[i], schemaHeader, TOPIC, 0, i, timestamps[i]);
      if (ingested.event == null) {
        throw new IllegalStateException("record " + i + " is dead-lettered: " + ingested.deadLetter.getDetail());
      }
    }
  }

  @Benchmark
  public Ingested ingest() {
    int i = next++ & (RECORDS - 1);
    return deserializer.ingest(values[i], keys[i], schemaHeader, TOPIC, 3, 1_000_000L + i, timestamps[i]);
  }

  /** A call with every optional field the gateway knows filled in, as most production calls have. */
  private static ApiCall call(int i, SplittableRandom random) {
    Instant eventTime = Instant.ofEpochMilli(CampaignCalls.START).plusMillis(i * 1_250L);
    ApiCall call = new ApiCall();
    call.setRequestId(new UUID(random.nextLong(), random.nextLong()).toString());
    call.setEventTime(eventTime);
    call.setAccountId(String.format("acct-%012x", random.nextLong() & 0xffff_ffff_ffffL));
    call.setOrgId(String.format("org-%08x", random.nextInt()));
    call.setApiKeyId(String.format("key-%016x", random.nextLong()));
    call.setClientIp("198.51." + random.nextInt(256) + "." + random.nextInt(256));
    call.setAsn(14_061);
    call.setCountry("NL");
    call.setAccountCreatedAt(eventTime.minus(Duration.ofDays(1 + random.nextInt(400))));
    call.setPaymentFingerprint(String.format("pf_%016x", random.nextLong()));
    call.setUserAgent("python-httpx/0.27.0");
    call.setModel("model-large-2025-05");
    call.setPromptTokens(60 + random.nextInt(200));
    call.setCompletionTokens(200 + random.nextInt(1500));
    call.setPromptSimhash(random.nextLong());
    call.setCapability(i % 2 == 0 ? Capability.REASONING : Capability.CHAT);
    call.setCotElicitation(i % 2 == 0);
    call.setStatusCode(200);
    return call;
  }
}
