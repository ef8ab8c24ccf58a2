package dev.distillguard.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.simulate.account.AccountAges;
import dev.distillguard.simulate.network.AddressPlans;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A new scenario is one small class on the building blocks, added to the catalogue. */
class CustomScenarioTest {

  /** A campaign laundering its traffic through the reseller with paraphrased agent traces. */
  static final class ParaphrasingReseller implements ScenarioDefinition {
    @Override
    public String name() {
      return "paraphrasing-reseller";
    }

    @Override
    public String description() {
      return "Paraphrased agent traces from new reseller sub-accounts.";
    }

    @Override
    public List<Population> populations(double scale) {
      ApiAggregator reseller = new ApiAggregator("hopper");
      return List.of(reseller.customerPopulation(OrganicTraffic.scaled(200, scale, 20)),
          CampaignSpec.builder("paraphrasing-reseller:c1")
              .accounts(OrganicTraffic.scaled(100, scale, 40))
              .through(reseller)
              .templates(List.of("agent-trace"))
              .paraphrase()
              .requestsPerHourPerAccount(3)
              .build().population());
    }
  }

  @Test
  void aDefinitionClassJoinsTheCatalogue() {
    ScenarioCatalogue catalogue = ScenarioCatalogue.standard().with(new ParaphrasingReseller());
    assertThat(catalogue.names()).contains("hydra-cluster", "paraphrasing-reseller");
    Calls calls = Calls.of(catalogue.scenario("paraphrasing-reseller", 1, 0.05, Scenario.DEFAULT_START));
    Calls campaign = calls.campaign();
    assertThat(campaign.accounts()).isEqualTo(40);
    assertThat(campaign.distinct(c -> c.getCapability())).containsOnly(dev.distillguard.contract.Capability.AGENTIC);
    assertThat(campaign.distinct(c -> c.getClientIp()))
        .isSubsetOf(calls.population("aggregator-customer").distinct(c -> c.getClientIp()));
  }

  @Test
  void populationsComposeFromBuildingBlocks() {
    Scenario scenario = Scenario.builder("students-on-a-proxy").seed(5).span(Duration.ofHours(1))
        .population(Population.builder("night-owls", 30)
            .profile(dev.distillguard.simulate.account.AccountProfiles.individuals(
                AccountAges.justBefore(Duration.ofHours(2))))
            .addresses(AddressPlans.residentialRotation())
            .timing(dev.distillguard.simulate.timing.Timing.poisson(0.5))
            .build())
        .build();
    Calls calls = Calls.of(scenario);
    assertThat(calls.accounts()).isBetween(25, 30);
    assertThat(calls.labelled.get(0).label()).isEqualTo(new Label("students-on-a-proxy", "night-owls", false, null, true));
  }
}
