package dev.distillguard.detector.patterns;

import dev.distillguard.detector.model.WindowFeatures;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one window's features into a suspicion score in [0, 1] and the evidence behind it. Pure.
 *
 * <p>Each key space scores what extraction looks like from where it stands. An account: the same
 * template over and over with fresh slot content (core), focused on reasoning or code, on a clock,
 * at rate. A template: many light accounts on several networks sending it with fresh slot content,
 * eliciting reasoning, weighted by how young the accounts are. A subnet: one template dominating
 * many accounts' traffic. Windows below a key space's minimum are not reported at all.
 */
public final class Scoring {

  /** Fraud evidence when the gateway reports neither account age nor payment: between bought and grown. */
  static final double UNKNOWN_AGE_EVIDENCE = 0.6;

  /**
   * Requests of one template a window's sample must hold for a campaign to be reported; below it a template
   * key's bucket holds only prompts that met by chance, and its window is not even computed in full.
   */
  public static final int MIN_DOMINANT_TEMPLATE_SIZE = 2;

  public record Assessment(boolean reportable, double score, List<String> evidence) {}

  private static final Assessment NOT_REPORTABLE = new Assessment(false, 0.0, List.of());

  private Scoring() {}

  public static Assessment assess(WindowFeatures f, ScoringPolicy policy) {
    return switch (f.getKeySpace()) {
      case ACCOUNT -> account(f, policy.account());
      case TEMPLATE -> campaign(f, policy.campaign());
      case SUBNET -> subnet(f, policy.subnet());
    };
  }

  static Assessment account(WindowFeatures f, ScoringPolicy.AccountRules r) {
    if (f.getRequests() < r.minRequests()) {
      return NOT_REPORTABLE;
    }
    double repetition = r.nearDuplicateShare().evidence(f.getNearDuplicateShare());
    double variety = r.templateVariety().evidence(f.getTemplateVariety());
    double focus = Math.max(r.cotShare().evidence(f.getCotShare()),
        r.extractionShare().evidence(f.getExtractionCapabilityShare()));
    Double cv = f.getInterarrivalCv();
    double regular = cv == null ? 0.0 : r.interarrivalCv().evidence(cv);
    double uniform = r.promptTokensCv().evidence(f.getPromptTokensCv());
    double rate = r.ratePerMinute().evidence(f.getRatePerMinute());
    // Repetition with fresh slot content is what an extraction burst is; without a reasoning or code focus
    // or a scripted clock it is a busy product behind a long system prompt, so those carry most weight.
    double score = repetition * variety * (0.15 + 0.85 * (0.45 * focus + 0.3 * regular + 0.1 * uniform + 0.15 * rate));
    List<String> evidence = new ArrayList<>();
    evidence.add(kv("requests", f.getRequests()));
    evidence.add(kv("rate_per_minute", f.getRatePerMinute()));
    evidence.add(kv("near_duplicate_share", f.getNearDuplicateShare()));
    evidence.add(kv("template_variety", f.getTemplateVariety()));
    evidence.add(kv("cot_share", f.getCotShare()));
    evidence.add(kv("extraction_capability_share", f.getExtractionCapabilityShare()));
    evidence.add(cv == null ? "interarrival_cv=unknown" : kv("interarrival_cv", cv));
    evidence.add(kv("prompt_tokens_cv", f.getPromptTokensCv()));
    return new Assessment(true, clamp(score), evidence);
  }

  static Assessment campaign(WindowFeatures f, ScoringPolicy.CampaignRules r) {
    if (f.getDominantTemplateSize() < MIN_DOMINANT_TEMPLATE_SIZE
        || f.getDistinctAccounts() < r.reportMinAccounts()) {
      return NOT_REPORTABLE;
    }
    // Smaller templates are still reported, scored 0, so the replacement pattern can see fresh accounts
    // pick up a template that was already throttled.
    boolean campaignSized = f.getDistinctAccounts() >= r.minAccounts() && f.getDistinctSubnets() >= r.minSubnets();
    double perAccount = requestsPerAccount(f);
    double spread = r.subnets().evidence(f.getDistinctSubnets());
    double thin = r.requestsPerAccount().evidence(perAccount);
    double variety = r.templateVariety().evidence(f.getTemplateVariety());
    double focus = Math.max(r.cotShare().evidence(f.getCotShare()),
        r.extractionShare().evidence(f.getExtractionCapabilityShare()));
    double tight = r.templateSpreadBits().evidence(f.getTemplateSpreadBits());
    double fraud = accountFraud(f, r.youngAccountShare(), r.accountsPerPayment());
    double base = 0.25 * spread + 0.2 * thin + 0.15 * variety + 0.25 * focus + 0.15 * tight;
    double score = campaignSized ? base * (0.4 + 0.6 * fraud) : 0.0;
    List<String> evidence = new ArrayList<>();
    evidence.add(kv("accounts", f.getDistinctAccounts()));
    evidence.add(kv("subnets", f.getDistinctSubnets()));
    evidence.add(kv("asns", f.getDistinctAsns()));
    evidence.add(kv("countries", f.getDistinctCountries()));
    evidence.add(kv("requests_per_account", perAccount));
    evidence.add(optional("young_account_share", f.getYoungAccountShare()));
    evidence.add(optional("accounts_per_payment", f.getAccountsPerPayment()));
    evidence.add(kv("template_variety", f.getTemplateVariety()));
    evidence.add(kv("template_spread_bits", f.getTemplateSpreadBits()));
    evidence.add(kv("cot_share", f.getCotShare()));
    evidence.add(kv("extraction_capability_share", f.getExtractionCapabilityShare()));
    return new Assessment(true, clamp(score), evidence);
  }

  static Assessment subnet(WindowFeatures f, ScoringPolicy.SubnetRules r) {
    if (f.getDistinctAccounts() < r.minAccounts() || f.getRequests() < r.minRequests()) {
      return NOT_REPORTABLE;
    }
    double perAccount = (double) f.getRequests() / Math.max(1, f.getDistinctAccounts());
    double dominance = r.dominantTemplateShare().evidence(f.getDominantTemplateShare());
    double thin = r.requestsPerAccount().evidence(perAccount);
    double variety = r.templateVariety().evidence(f.getTemplateVariety());
    double focus = Math.max(r.cotShare().evidence(f.getCotShare()),
        r.extractionShare().evidence(f.getExtractionCapabilityShare()));
    double fraud = accountFraud(f, r.youngAccountShare(), r.accountsPerPayment());
    double score = dominance * (0.3 + 0.7 * (0.2 * thin + 0.2 * variety + 0.3 * focus + 0.3 * fraud));
    List<String> evidence = new ArrayList<>();
    evidence.add(kv("accounts", f.getDistinctAccounts()));
    evidence.add(kv("requests", f.getRequests()));
    evidence.add(kv("dominant_template_share", f.getDominantTemplateShare()));
    evidence.add(kv("requests_per_account", perAccount));
    evidence.add(optional("young_account_share", f.getYoungAccountShare()));
    evidence.add(optional("accounts_per_payment", f.getAccountsPerPayment()));
    evidence.add(kv("template_variety", f.getTemplateVariety()));
    evidence.add(kv("cot_share", f.getCotShare()));
    return new Assessment(true, clamp(score), evidence);
  }

  /**
   * How much the accounts look bought rather than grown: young, and sharing a few payment cards. A crowd
   * of new signups each paying with its own card (a model's release day) is young but not bought, so
   * when both are known, unshared cards halve the evidence of age. Only what the gateway reported
   * counts; when it reported neither, the evidence is neutral.
   */
  static double accountFraud(WindowFeatures f, Ramp youngRamp, Ramp paymentRamp) {
    Double young = f.getYoungAccountShare();
    Double perPayment = f.getAccountsPerPayment();
    if (young == null && perPayment == null) {
      return UNKNOWN_AGE_EVIDENCE;
    }
    if (perPayment == null) {
      return youngRamp.evidence(young);
    }
    double sharedCards = paymentRamp.evidence(perPayment);
    if (young == null) {
      return sharedCards;
    }
    return youngRamp.evidence(young) * (0.5 + 0.5 * sharedCards);
  }

  private static String optional(String name, Double value) {
    return value == null ? name + "=unknown" : kv(name, value);
  }

  /** Requests of the dominant template per account sending it: about 1 for a hydra of light accounts. */
  static double requestsPerAccount(WindowFeatures f) {
    double templateRequests = f.getDominantTemplateShare() * f.getRequests();
    return Math.max(1.0, templateRequests / Math.max(1, f.getDistinctAccounts()));
  }

  private static double clamp(double score) {
    return Math.max(0.0, Math.min(1.0, score));
  }

  /** {@code name=value} with three decimals, as %.3f would print it, without the cost of a Formatter. */
  static String kv(String name, double value) {
    StringBuilder out = new StringBuilder(name.length() + 12).append(name).append('=');
    if (!Double.isFinite(value)) {
      return out.append(value).toString();
    }
    long thousandths = Math.round(Math.abs(value) * 1000);
    if (value < 0 && thousandths != 0) {
      out.append('-');
    }
    long fraction = thousandths % 1000;
    out.append(thousandths / 1000).append('.');
    if (fraction < 100) {
      out.append('0');
    }
    if (fraction < 10) {
      out.append('0');
    }
    return out.append(fraction).toString();
  }

  static String kv(String name, int value) {
    return name + "=" + value;
  }
}
