package dev.distillguard.detector.ingest;

import dev.distillguard.detector.model.CallEvent;

/** Copies of calls. Every field of a call is immutable (numbers, strings), so a copy shares them. */
public final class Calls {

  private Calls() {}

  /**
   * A copy, for Flink where it copies records; Avro's {@code deepCopy} walked the schema to the same end.
   * The all-fields constructor makes a field added to the schema a compile error here rather than a field
   * silently dropped.
   */
  public static CallEvent copy(CallEvent call) {
    return new CallEvent(call.getEventTime(), call.getRank(), call.getAccountId(), call.getOrgId(),
        call.getSubnet(), call.getAsn(), call.getCountry(), call.getPaymentFingerprint(), call.getAccountAgeMs(),
        call.getPromptTokens(), call.getCompletionTokens(), call.getSimhash(), call.getCapability(), call.getCot());
  }
}
