package dev.distillguard.detector.ingest;

/** Why a gateway record went to the dead-letter topic. The names are what operators graph and alert on. */
public enum RejectReason {
  /** The bytes are not an ApiCall in any schema version the detector knows. */
  UNDECODABLE,
  /**
   * The record's schema header names an ApiCall schema the detector does not know (a newer gateway), or
   * is not a fingerprint at all.
   */
  UNKNOWN_WRITER_SCHEMA,
  /** The record has no value (a tombstone or an empty payload). */
  EMPTY_RECORD,
  /** A required string is empty or blank. */
  MISSING_REQUIRED_VALUE,
  /** A key field is longer than any real id: hostile or corrupt. */
  VALUE_TOO_LONG,
  /** client_ip is not an IPv4 or IPv6 address. */
  INVALID_CLIENT_IP,
  /** Token counts are negative. */
  NEGATIVE_TOKENS,
  /**
   * event_time is further ahead of the Kafka record's timestamp, or (live) of the detector's clock, than
   * clock skew explains.
   */
  EVENT_TIME_IN_FUTURE,
  /** event_time is further behind the Kafka record's timestamp than any retry explains. */
  EVENT_TIME_TOO_OLD
}
