package dev.distillguard.workbench.evaluate;

import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.simulate.LabelledCall;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds a scenario's {@link Timeline} from its traffic and the decisions made about it. */
public final class Timelines {

  private static final long MINUTE = 60_000;

  private Timelines() {}

  public static Timeline of(Iterable<LabelledCall> traffic, Instant start, Instant end,
      List<ThrottleDecision> decisions) {
    int minutes = (int) Math.max(1, Duration.between(start, end).toMinutes() + 1);
    int[] campaign = new int[minutes];
    int[] benign = new int[minutes];
    Set<String> campaignAccounts = new HashSet<>();
    Set<String> benignAccounts = new HashSet<>();
    for (LabelledCall call : traffic) {
      int minute = minuteOf(call.call().getEventTime(), start, minutes);
      if (call.label().campaign()) {
        campaign[minute]++;
        campaignAccounts.add(call.call().getAccountId());
      } else {
        benign[minute]++;
        benignAccounts.add(call.call().getAccountId());
      }
    }
    benignAccounts.removeAll(campaignAccounts);

    Map<String, Integer> enforcedMinute = new HashMap<>();
    Map<String, Integer> reviewedMinute = new HashMap<>();
    int[] records = new int[minutes];
    for (ThrottleDecision d : decisions) {
      int minute = minuteOf(d.getDecidedAt(), start, minutes);
      records[minute]++;
      Map<String, Integer> into = d.getAction() == ThrottleAction.REVIEW ? reviewedMinute : enforcedMinute;
      for (String account : d.getAccounts()) {
        into.merge(account, minute, Math::min);
      }
    }
    int[] campaignEnforced = new int[minutes];
    int[] benignEnforced = new int[minutes];
    int[] benignReviewed = new int[minutes];
    enforcedMinute.forEach((account, minute) -> {
      if (campaignAccounts.contains(account)) {
        campaignEnforced[minute]++;
      } else if (benignAccounts.contains(account)) {
        benignEnforced[minute]++;
      }
    });
    reviewedMinute.forEach((account, minute) -> {
      if (benignAccounts.contains(account) && !enforcedMinute.containsKey(account)) {
        benignReviewed[minute]++;
      }
    });
    cumulate(campaignEnforced);
    cumulate(benignEnforced);
    cumulate(benignReviewed);
    return new Timeline(start, campaign, benign, campaignEnforced, benignEnforced, benignReviewed, records);
  }

  private static int minuteOf(Instant t, Instant start, int minutes) {
    long minute = Math.floorDiv(t.toEpochMilli() - start.toEpochMilli(), MINUTE);
    return (int) Math.max(0, Math.min(minutes - 1, minute));
  }

  private static void cumulate(int[] values) {
    for (int i = 1; i < values.length; i++) {
      values[i] += values[i - 1];
    }
  }
}
