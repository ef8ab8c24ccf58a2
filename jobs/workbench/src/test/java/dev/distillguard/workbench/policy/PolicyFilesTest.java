package dev.distillguard.workbench.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.contract.PolicyKeySpace;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.policy.PolicyRules;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PolicyFilesTest {

  @Test
  void theDocumentedExampleReadsAndPassesTheJobsChecks() throws Exception {
    DetectionPolicy policy = PolicyFiles.read(Path.of("../../docs/examples/allowlist-acme.yaml"));
    assertThat(policy.getVersion()).isEqualTo(1);
    assertThat(policy.getThresholds().get(0).getKeySpace()).isEqualTo(PolicyKeySpace.CAMPAIGN);
    assertThat(policy.getAllowlist().getAccounts()).containsExactly("acme-batch");
    assertThat(policy.getDenylist().getAsns()).containsExactly(64496);
    assertThat(policy.getEffectiveFrom()).isNull();
    PolicyRules rules = PolicyRules.compile(policy, DetectorConfig.defaults());
    assertThat(rules.scoring().campaign().minAccounts()).isEqualTo(12);
  }

  @Test
  void jsonWorksAndInstantsAreIso() throws Exception {
    DetectionPolicy policy = PolicyFiles.parse(
        "{\"version\": 4, \"author\": \"bob\", \"effective_from\": \"2025-06-02T09:20:00Z\"}");
    assertThat(policy.getEffectiveFrom()).isEqualTo(Instant.parse("2025-06-02T09:20:00Z"));
    assertThat(policy.getAllowlist().getAccounts()).isEmpty();
  }

  @Test
  void aTypoOrAWrongTypeIsAnErrorThatSaysWhere() {
    assertThatThrownBy(() -> PolicyFiles.parse("version: 1\nauthor: a\nallowlist: {acounts: [x]}"))
        .hasMessageContaining("policy.allowlist: unknown field 'acounts'");
    assertThatThrownBy(() -> PolicyFiles.parse("version: one\nauthor: a"))
        .hasMessageContaining("policy.version must be a whole number");
    assertThatThrownBy(() -> PolicyFiles.parse("author: a"))
        .hasMessageContaining("policy.version is required");
    assertThatThrownBy(() -> PolicyFiles.parse("version: 1\nauthor: a\nthresholds: [{key_space: TENANT, feature: f, none_at: 1, full_at: 2}]"))
        .hasMessageContaining("policy.thresholds[0].key_space must be one of");
  }
}
