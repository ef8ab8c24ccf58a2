package dev.distillguard.simulate.account;

import java.time.Instant;

/** The identity fields an account puts on every call; the nullable ones are optional in the contract. */
public record Account(String accountId, String orgId, String apiKeyId, Instant createdAt,
    String paymentFingerprint, String userAgent) {}
