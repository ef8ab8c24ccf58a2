package dev.distillguard.detector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.Capability;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.testing.Calls;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class CallValidatorTest {

  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final long T = Instant.parse("2025-06-01T12:00:00Z").toEpochMilli();
  private static final long SIMHASH = 0x0F0F_1234_5678_9ABCL;

  private final CallValidator validator =
      new CallValidator(new SubnetParser(24, 48), Duration.ofMinutes(5), Duration.ofDays(7));

  private static ApiCall valid() {
    ApiCall call = Calls.call("req-1", T, "acct-1", "203.0.113.77", SIMHASH, Capability.REASONING, true);
    call.setOrgId("org-1");
    call.setAccountCreatedAt(Instant.ofEpochMilli(T - 3 * DAY));
    return call;
  }

  @Test
  void validCallBecomesACallEvent() throws Exception {
    CallEvent e = validator.validate(valid(), T + 50);

    assertThat(e.getEventTime()).isEqualTo(T);
    assertThat(e.getRank()).isEqualTo(CallValidator.requestRank("req-1"));
    assertThat(e.getAccountId()).isEqualTo("acct-1");
    assertThat(e.getOrgId()).isEqualTo("org-1");
    assertThat(e.getSubnet()).isEqualTo("203.0.113.0/24");
    assertThat(e.getAsn()).isEqualTo(64500);
    assertThat(e.getCountry()).isEqualTo("NL");
    assertThat(e.getAccountAgeMs()).isEqualTo(3 * DAY);
    assertThat(e.getPromptTokens()).isEqualTo(120);
    assertThat(e.getCompletionTokens()).isEqualTo(400);
    assertThat(e.getSimhash()).isEqualTo(SIMHASH);
    assertThat(e.getCapability()).isEqualTo(Capability.REASONING.ordinal());
    assertThat(e.getCot()).isTrue();
  }

  @Test
  void ipv6ClientsGetTheirSlash48() throws Exception {
    ApiCall call = valid();
    call.setClientIp("2001:db8:1234:5678::1");
    assertThat(validator.validate(call, T).getSubnet()).isEqualTo("2001:db8:1234::/48");
  }

  @Test
  void rankIsAStableHashOfTheRequestId() {
    assertThat(CallValidator.requestRank("req-1")).isEqualTo(CallValidator.requestRank("req-1"));
    assertThat(CallValidator.requestRank("req-1")).isNotEqualTo(CallValidator.requestRank("req-2"));
  }

  @Test
  void accountAgeIsUnknownWithoutACreationTime() throws Exception {
    ApiCall call = valid();
    call.setAccountCreatedAt(null);
    assertThat(validator.validate(call, T).getAccountAgeMs()).isNull();
  }

  @Test
  void accountAgeIsUnknownWhenCreatedAfterTheCall() throws Exception {
    ApiCall call = valid();
    call.setAccountCreatedAt(Instant.ofEpochMilli(T + 1));
    assertThat(validator.validate(call, T).getAccountAgeMs()).isNull();

    call.setAccountCreatedAt(Instant.ofEpochMilli(T));
    assertThat(validator.validate(call, T).getAccountAgeMs()).isZero();
  }

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(nullValues = "none", value = {
      "NL, NL", "nl, NL", "De, DE", "'', none", "NLD, none", "N, none", "1A, none", "N-, none", "'  ', none"})
  void countryIsNormalisedToUpperCaseAlpha2OrDropped(String given, String expected) throws Exception {
    ApiCall call = valid();
    call.setCountry(given);
    assertThat(validator.validate(call, T).getCountry()).isEqualTo(expected);
  }

  @Test
  void missingCountryAndAsnStayMissing() throws Exception {
    ApiCall call = valid();
    call.setCountry(null);
    call.setAsn(null);
    CallEvent e = validator.validate(call, T);
    assertThat(e.getCountry()).isNull();
    assertThat(e.getAsn()).isNull();
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "   "})
  void blankOrgIdIsDroppedNotTheCall(String orgId) throws Exception {
    ApiCall call = valid();
    call.setOrgId(orgId);
    assertThat(validator.validate(call, T).getOrgId()).isNull();
  }

  @Test
  void overlongOrgIdIsDroppedNotTheCall() throws Exception {
    ApiCall call = valid();
    call.setOrgId("o".repeat(257));
    assertThat(validator.validate(call, T).getOrgId()).isNull();
  }

  // --- rejections ----------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} = ''{1}''")
  @CsvSource({
      "request_id, ''", "request_id, '  '",
      "account_id, ''", "account_id, ' '",
      "model, ''", "model, '\t'",
      "client_ip, ''", "client_ip, '   '"})
  void emptyRequiredValueIsRejectedNamingTheField(String field, String value) {
    ApiCall call = valid();
    setter(field).accept(call, value);
    CallValidator.Rejected r = reject(call, T);
    assertThat(r.reason()).isEqualTo(RejectReason.MISSING_REQUIRED_VALUE);
    assertThat(r.getMessage()).isEqualTo(field + " is empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {"request_id", "account_id", "model", "client_ip"})
  void overlongRequiredValueIsRejectedNamingTheField(String field) throws Exception {
    ApiCall call = valid();
    setter(field).accept(call, "x".repeat(257));
    CallValidator.Rejected r = reject(call, T);
    assertThat(r.reason()).isEqualTo(RejectReason.VALUE_TOO_LONG);
    assertThat(r.getMessage()).startsWith(field + " is 257 characters long");
  }

  @ParameterizedTest
  @ValueSource(strings = {"request_id", "account_id", "model"})
  void idsUpTo256CharactersAreAccepted(String field) throws Exception {
    ApiCall call = valid();
    setter(field).accept(call, "x".repeat(256));
    assertThat(validator.validate(call, T)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "256.1.1.1", "1.2.3", "1::2::3", "010.0.0.1"})
  void invalidClientIpIsRejectedNamingTheFieldAndValue(String ip) {
    ApiCall call = valid();
    call.setClientIp(ip);
    CallValidator.Rejected r = reject(call, T);
    assertThat(r.reason()).isEqualTo(RejectReason.INVALID_CLIENT_IP);
    assertThat(r.getMessage()).contains("client_ip").contains(ip);
  }

  @ParameterizedTest(name = "prompt {0}, completion {1}")
  @CsvSource({"-1, 400", "120, -1", "-5, -5", "-2147483648, 0"})
  void negativeTokensAreRejectedNamingTheFields(int prompt, int completion) {
    ApiCall call = valid();
    call.setPromptTokens(prompt);
    call.setCompletionTokens(completion);
    CallValidator.Rejected r = reject(call, T);
    assertThat(r.reason()).isEqualTo(RejectReason.NEGATIVE_TOKENS);
    assertThat(r.getMessage()).contains("prompt_tokens " + prompt).contains("completion_tokens " + completion);
  }

  @Test
  void zeroTokensAreAccepted() throws Exception {
    ApiCall call = valid();
    call.setPromptTokens(0);
    call.setCompletionTokens(0);
    assertThat(validator.validate(call, T).getPromptTokens()).isZero();
  }

  @Test
  void eventTimeTooFarAheadOfTheRecordTimestampIsRejected() throws Exception {
    long record = T - Duration.ofMinutes(5).toMillis() - 1;
    CallValidator.Rejected r = reject(valid(), record);
    assertThat(r.reason()).isEqualTo(RejectReason.EVENT_TIME_IN_FUTURE);
    assertThat(r.getMessage()).contains("event_time").contains("after the record timestamp");

    // Exactly the allowed skew is fine.
    assertThat(validator.validate(valid(), T - Duration.ofMinutes(5).toMillis())).isNotNull();
  }

  @Test
  void eventTimeTooFarBehindTheRecordTimestampIsRejected() throws Exception {
    long record = T + Duration.ofDays(7).toMillis() + 1;
    CallValidator.Rejected r = reject(valid(), record);
    assertThat(r.reason()).isEqualTo(RejectReason.EVENT_TIME_TOO_OLD);
    assertThat(r.getMessage()).contains("event_time").contains("before the record timestamp");

    assertThat(validator.validate(valid(), T + Duration.ofDays(7).toMillis())).isNotNull();
  }

  @Test
  void eventTimeTooFarAheadOfTheDetectorsClockIsRejectedEvenWithAMatchingRecordTimestamp() throws Exception {
    long clock = T - Duration.ofMinutes(5).toMillis() - 1;
    CallValidator.Rejected r = catchThrowableOfType(CallValidator.Rejected.class,
        () -> validator.validate(valid(), T, clock));
    assertThat(r.reason()).isEqualTo(RejectReason.EVENT_TIME_IN_FUTURE);
    assertThat(r.getMessage()).contains("ahead of the detector's clock");

    assertThat(validator.validate(valid(), T, T - Duration.ofMinutes(5).toMillis())).isNotNull();
    assertThat(validator.validate(valid(), T, -1)).as("no clock").isNotNull();
  }

  /** Judged against the record, not the wall clock: a replay next year rejects exactly the same calls. */
  @Test
  void eventTimeIsNotJudgedAgainstTheWallClock() throws Exception {
    ApiCall ancient = valid();
    ancient.setEventTime(Instant.parse("2001-01-01T00:00:00Z"));
    assertThat(validator.validate(ancient, ancient.getEventTime().toEpochMilli())).isNotNull();
  }

  @Test
  void recordsWithoutATimestampSkipTheEventTimeChecks() throws Exception {
    ApiCall call = valid();
    call.setEventTime(Instant.parse("2001-01-01T00:00:00Z"));
    assertThat(validator.validate(call, -1)).isNotNull();
  }

  @Test
  void theFirstProblemInFieldOrderIsReported() {
    ApiCall call = valid();
    call.setAccountId("");
    call.setClientIp("nonsense");
    call.setPromptTokens(-1);
    assertThat(reject(call, T).reason()).isEqualTo(RejectReason.MISSING_REQUIRED_VALUE);
  }

  @Test
  void rejectedCarriesItsReason() {
    ApiCall call = valid();
    call.setRequestId("");
    assertThatThrownBy(() -> validator.validate(call, T))
        .isInstanceOf(CallValidator.Rejected.class)
        .hasMessage("request_id is empty");
  }

  private CallValidator.Rejected reject(ApiCall call, long recordTimestamp) {
    CallValidator.Rejected r =
        catchThrowableOfType(CallValidator.Rejected.class, () -> validator.validate(call, recordTimestamp));
    assertThat(r).as("rejected").isNotNull();
    return r;
  }

  private static BiConsumer<ApiCall, String> setter(String field) {
    return switch (field) {
      case "request_id" -> ApiCall::setRequestId;
      case "account_id" -> ApiCall::setAccountId;
      case "model" -> ApiCall::setModel;
      case "client_ip" -> ApiCall::setClientIp;
      default -> throw new IllegalArgumentException(field);
    };
  }
}
