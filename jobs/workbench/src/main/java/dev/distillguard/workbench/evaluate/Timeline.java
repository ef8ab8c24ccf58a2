package dev.distillguard.workbench.evaluate;

import java.time.Instant;

/**
 * A scenario minute by minute, in event time: what the campaign and the benign traffic sent, and what
 * the decisions had covered by then. Arrays are indexed by minute from {@code start}.
 *
 * @param campaignRequests campaign calls in each minute
 * @param benignRequests benign calls in each minute
 * @param campaignAccountsEnforced campaign accounts under THROTTLE or BLOCK by the end of each minute
 * @param benignAccountsEnforced benign accounts under THROTTLE or BLOCK by the end of each minute
 * @param benignAccountsReviewed benign accounts under REVIEW only by the end of each minute
 * @param decisionRecords decision records decided in each minute
 */
public record Timeline(
    Instant start,
    int[] campaignRequests,
    int[] benignRequests,
    int[] campaignAccountsEnforced,
    int[] benignAccountsEnforced,
    int[] benignAccountsReviewed,
    int[] decisionRecords) {

  public int minutes() {
    return campaignRequests.length;
  }
}
