package dev.distillguard.detector.ingest;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.detector.model.CallEvent;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Checks one decoded ApiCall and reduces it to the call the features need. Pure; a rejection names the
 * field and the value so whoever reads the dead-letter topic can find the producer at fault.
 *
 * <p>Event time is checked against the Kafka record's timestamp rather than the wall clock, so a replay
 * next month rejects exactly what the live job rejected.
 */
public final class CallValidator implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Longer ids than this are not ids. */
  static final int MAX_ID_LENGTH = 256;

  private final SubnetParser subnets;
  private final long maxFutureSkewMillis;
  private final long maxRecordDelayMillis;

  public CallValidator(SubnetParser subnets, Duration maxFutureSkew, Duration maxRecordDelay) {
    this.subnets = subnets;
    this.maxFutureSkewMillis = maxFutureSkew.toMillis();
    this.maxRecordDelayMillis = maxRecordDelay.toMillis();
  }

  /** A rejection: the reason code and a sentence naming the offending value. */
  public static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    private final RejectReason reason;

    Rejected(RejectReason reason, String detail) {
      super(detail, null, false, false);
      this.reason = reason;
    }

    public RejectReason reason() {
      return reason;
    }
  }

  public CallEvent validate(ApiCall call, long recordTimestamp) throws Rejected {
    return validate(call, recordTimestamp, -1);
  }

  /**
   * As {@link #validate(ApiCall, long)}, and the event time must not be further ahead of {@code clock}
   * (epoch millis; negative for no clock) than the allowed skew. A producer on a host whose clock runs a
   * day ahead stamps the record timestamp from the same clock, so only a clock of the detector's own
   * catches it; left in, one such call would carry the watermark a day ahead and make every honest call
   * after it late.
   */
  public CallEvent validate(ApiCall call, long recordTimestamp, long clock) throws Rejected {
    String requestId = required("request_id", call.getRequestId());
    String accountId = required("account_id", call.getAccountId());
    required("model", call.getModel());
    String clientIp = required("client_ip", call.getClientIp());
    Instant eventTime = call.getEventTime();
    if (eventTime == null) {
      throw new Rejected(RejectReason.MISSING_REQUIRED_VALUE, "event_time is missing");
    }
    long time = eventTime.toEpochMilli();
    if (clock >= 0 && time > saturatedAdd(clock, maxFutureSkewMillis)) {
      throw new Rejected(RejectReason.EVENT_TIME_IN_FUTURE, "event_time " + eventTime + " is "
          + gap(time, clock) + " ahead of the detector's clock " + Instant.ofEpochMilli(clock));
    }
    if (recordTimestamp >= 0) {
      if (time > saturatedAdd(recordTimestamp, maxFutureSkewMillis)) {
        throw new Rejected(RejectReason.EVENT_TIME_IN_FUTURE, "event_time " + eventTime + " is "
            + gap(time, recordTimestamp) + " after the record timestamp "
            + Instant.ofEpochMilli(recordTimestamp));
      }
      if (time < recordTimestamp - maxRecordDelayMillis) {
        throw new Rejected(RejectReason.EVENT_TIME_TOO_OLD, "event_time " + eventTime + " is "
            + gap(recordTimestamp, time) + " before the record timestamp "
            + Instant.ofEpochMilli(recordTimestamp));
      }
    }
    if (call.getPromptTokens() < 0 || call.getCompletionTokens() < 0) {
      throw new Rejected(RejectReason.NEGATIVE_TOKENS, "prompt_tokens " + call.getPromptTokens()
          + " and completion_tokens " + call.getCompletionTokens() + " must not be negative");
    }
    String subnet;
    try {
      subnet = subnets.subnetOf(clientIp);
    } catch (IllegalArgumentException e) {
      throw new Rejected(RejectReason.INVALID_CLIENT_IP, e.getMessage());
    }

    CallEvent event = new CallEvent();
    event.setEventTime(time);
    event.setRank(requestRank(requestId));
    event.setAccountId(accountId);
    event.setOrgId(optional(call.getOrgId()));
    event.setSubnet(subnet);
    event.setAsn(call.getAsn());
    event.setCountry(country(call.getCountry()));
    event.setPaymentFingerprint(optional(call.getPaymentFingerprint()));
    Instant createdAt = call.getAccountCreatedAt();
    // A creation time after the call is a bad clock or a lie; either way the age is unknown.
    event.setAccountAgeMs(createdAt == null || createdAt.toEpochMilli() > time ? null : time - createdAt.toEpochMilli());
    event.setPromptTokens(call.getPromptTokens());
    event.setCompletionTokens(call.getCompletionTokens());
    event.setSimhash(call.getPromptSimhash());
    event.setCapability(call.getCapability().ordinal());
    event.setCot(call.getCotElicitation());
    return event;
  }

  /** a + b for b >= 0, stopping at Long.MAX_VALUE: a hostile record timestamp must not wrap around. */
  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < a ? Long.MAX_VALUE : sum;
  }

  /** later - earlier without overflow: event times come from the record and may be anything. */
  private static Duration gap(long later, long earlier) {
    return Duration.ofMillis(later).minus(Duration.ofMillis(earlier));
  }

  private static String required(String field, String value) throws Rejected {
    if (value == null || value.isBlank()) {
      throw new Rejected(RejectReason.MISSING_REQUIRED_VALUE, field + " is empty");
    }
    if (value.length() > MAX_ID_LENGTH) {
      throw new Rejected(RejectReason.VALUE_TOO_LONG, field + " is " + value.length() + " characters long (max "
          + MAX_ID_LENGTH + ")");
    }
    return value;
  }

  private static String optional(String value) {
    return value == null || value.isBlank() || value.length() > MAX_ID_LENGTH ? null : value;
  }

  /** ISO 3166 alpha-2 or nothing: a malformed optional country is dropped, not the call. */
  private static String country(String value) {
    if (value == null || value.length() != 2) {
      return null;
    }
    char a = value.charAt(0);
    char b = value.charAt(1);
    if (!isAsciiLetter(a) || !isAsciiLetter(b)) {
      return null;
    }
    return new String(new char[] {(char) (a & ~0x20), (char) (b & ~0x20)});
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  /** 64-bit hash of the request id: orders the request sample and spots redeliveries. */
  public static long requestRank(String requestId) {
    long h = 0xcbf29ce484222325L;
    for (byte b : requestId.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
