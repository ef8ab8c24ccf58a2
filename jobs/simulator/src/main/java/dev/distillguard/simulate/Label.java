package dev.distillguard.simulate;

/**
 * Ground truth for one simulated call, kept outside the {@code ApiCall} so a detector never sees it.
 *
 * @param scenario the catalogue scenario (or custom mix) the call belongs to
 * @param population the group of accounts inside the scenario, such as {@code organic-chat} or {@code hydra}
 * @param campaign whether the call is part of a distillation campaign
 * @param campaignId the campaign, unique within the scenario; null for benign calls
 * @param sharedAddress whether the account sits behind an address many accounts share: a corporate NAT,
 *     an API aggregator's egress, a campus subnet or a proxy pool
 */
public record Label(String scenario, String population, boolean campaign, String campaignId,
    boolean sharedAddress) {

  public Label {
    if (campaign != (campaignId != null)) {
      throw new IllegalArgumentException("a campaign call needs a campaign id, a benign one none: " + campaignId);
    }
  }
}
