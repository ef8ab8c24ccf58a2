package dev.distillguard.detector.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.contract.FeatureThreshold;
import dev.distillguard.contract.KeySpaceMinimum;
import dev.distillguard.contract.PolicyKeySpace;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.patterns.Ramp;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyRulesTest {

  private final DetectorConfig config = DetectorConfig.defaults();

  @Test
  void thresholdsMinimumsAndActionsOverrideTheConfiguration() {
    DetectionPolicy policy = Policies.empty(3);
    policy.getThresholds().add(new FeatureThreshold(PolicyKeySpace.ACCOUNT, "near-duplicate-share", 0.2, 0.6));
    policy.getMinimums().add(new KeySpaceMinimum(PolicyKeySpace.CAMPAIGN, "min-accounts", 25));
    policy.setActions(Policies.actions(0.6, 0.85, 0.95));

    PolicyRules rules = PolicyRules.compile(policy, config);

    assertThat(rules.version()).isEqualTo(3);
    assertThat(rules.scoring().account().nearDuplicateShare()).isEqualTo(new Ramp(0.2, 0.6));
    assertThat(rules.scoring().campaign().minAccounts()).isEqualTo(25);
    assertThat(rules.scoring().actions().actionFor(0.84)).isEqualTo(ThrottleAction.REVIEW);
    assertThat(rules.scoring().actions().actionFor(0.85)).isEqualTo(ThrottleAction.THROTTLE);
    // Untouched settings keep the configured values.
    assertThat(rules.scoring().subnet()).isEqualTo(config.scoring().subnet());
  }

  @Test
  void everyReasonARefusedPolicyHasIsGiven() {
    DetectionPolicy policy = Policies.empty(0);
    policy.setAuthor(" ");
    policy.getThresholds().add(new FeatureThreshold(PolicyKeySpace.SUBNET, "vibes", 0.1, 0.2));
    policy.getMinimums().add(new KeySpaceMinimum(PolicyKeySpace.ACCOUNT, "min-requests", 5));
    policy.getAllowlist().getSubnets().add("203.0.113.7/24");
    policy.getDenylist().getAsns().add(-3);

    assertThatThrownBy(() -> PolicyRules.compile(policy, config))
        .isInstanceOfSatisfying(PolicyRules.PolicyRejected.class, e -> assertThat(e.reasons())
            .anyMatch(r -> r.contains("version must be positive"))
            .anyMatch(r -> r.contains("author"))
            .anyMatch(r -> r.contains("no feature 'vibes' in key space SUBNET") && r.contains("dominant-template-share"))
            .anyMatch(r -> r.contains("account.min-requests=5 is below the job's configured 30"))
            .anyMatch(r -> r.contains("host bits set"))
            .anyMatch(r -> r.contains("-3 is not an AS number")));
  }

  @Test
  void outOfRangeActionsAreRefusedByTheSameRulesAsTheConfiguration() {
    DetectionPolicy disordered = Policies.empty(1);
    disordered.setActions(Policies.actions(0.9, 0.8, 0.95));
    assertThatThrownBy(() -> PolicyRules.compile(disordered, config)).hasMessageContaining("score.review <= score.throttle");

    DetectionPolicy aboveOne = Policies.empty(1);
    aboveOne.setActions(Policies.actions(0.6, 0.8, 1.5));
    assertThatThrownBy(() -> PolicyRules.compile(aboveOne, config)).hasMessageContaining("score.block");

    DetectionPolicy belowPatterns = Policies.empty(1);
    belowPatterns.setActions(Policies.actions(0.3, 0.8, 0.9));
    assertThatThrownBy(() -> PolicyRules.compile(belowPatterns, config))
        .hasMessageContaining("below the job's configured score.review");
  }

  @Test
  void allowlistMatchesAccountsOrgsAndNetworksDenylistMatchesNetworksAndAsns() {
    DetectionPolicy policy = Policies.empty(2);
    policy.getAllowlist().getAccounts().add("acme-batch");
    policy.getAllowlist().getOrgs().add("org-acme");
    policy.getAllowlist().getSubnets().add("198.51.100.0/22");
    policy.getDenylist().getSubnets().add("203.0.112.0/20");
    policy.getDenylist().getAsns().add(64500);

    PolicyRules rules = PolicyRules.compile(policy, config);

    assertThat(rules.allowsAccount("acme-batch", null)).isTrue();
    assertThat(rules.allowsAccount("someone", "org-acme")).isTrue();
    assertThat(rules.allowsAccount("someone", "org-other")).isFalse();
    assertThat(rules.allowsSubnet("198.51.101.0/24")).isTrue();
    assertThat(rules.allowsSubnet("198.51.104.0/24")).isFalse();
    assertThat(rules.deniesSubnet("203.0.113.0/24")).isTrue();
    assertThat(rules.deniesSubnet("2001:db8::/48")).isFalse();
    assertThat(rules.deniesAsn(64500)).isTrue();
    assertThat(rules.hasDenylist()).isTrue();
  }

  @Test
  void changesListWhatMovedSettingBySetting() {
    DetectionPolicy first = Policies.empty(1);
    first.getAllowlist().getAccounts().add("acme-batch");
    DetectionPolicy second = Policies.empty(2);
    second.setActions(Policies.actions(0.5, 0.85, 0.9));
    second.getAllowlist().getAccounts().add("globex");

    List<String> changes = PolicyRules.changes(PolicyRules.compile(first, config), PolicyRules.compile(second, config),
        first, second);

    assertThat(changes).contains("score.throttle: configured -> 0.85", "allowlist.accounts: +globex",
        "allowlist.accounts: -acme-batch");
  }
}
