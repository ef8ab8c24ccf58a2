package dev.distillguard.detector.testing;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.Capability;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.DetectorKafka;
import dev.distillguard.detector.ingest.GatewayRecordDeserializer;
import dev.distillguard.detector.ingest.Ingested;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Hand-built gateway calls for tests that need exact control over every field. */
public final class Calls {

  private Calls() {}

  public static ApiCall call(String requestId, long eventTime, String account, String ip, long simhash,
      Capability capability, boolean cot) {
    ApiCall call = new ApiCall();
    call.setRequestId(requestId);
    call.setEventTime(Instant.ofEpochMilli(eventTime));
    call.setAccountId(account);
    call.setClientIp(ip);
    call.setAsn(64500);
    call.setCountry("NL");
    call.setModel("model-a");
    call.setPromptTokens(120);
    call.setCompletionTokens(400);
    call.setPromptSimhash(simhash);
    call.setCapability(capability);
    call.setCotElicitation(cot);
    call.setStatusCode(200);
    return call;
  }

  /** Encoded and ingested as the Kafka source would, the record timestamp being the event time. */
  public static List<Ingested> ingest(List<ApiCall> calls, DetectorConfig config) {
    GatewayRecordDeserializer deserializer = DetectorKafka.deserializer(config);
    List<Ingested> out = new ArrayList<>(calls.size());
    long offset = 0;
    for (ApiCall call : calls) {
      out.add(deserializer.ingest(AvroBinary.encode(call), call.getAccountId().getBytes(StandardCharsets.UTF_8),
          "gateway.api-calls", 0, offset++, call.getEventTime().toEpochMilli()));
    }
    return out;
  }
}
