package dev.distillguard.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.Capability;
import dev.distillguard.contract.simhash.PromptSimHash;
import dev.distillguard.simulate.network.AddressText;
import dev.distillguard.simulate.prompt.ExtractionTemplate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every catalogue scenario at scale 0.05: the labels, and the shape that makes each scenario what it is. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScenarioCatalogueTest {

  private static final double SMALL = 0.05;
  private static final long SEED = 7;
  private static final Instant START = Scenario.DEFAULT_START;
  private static final Set<Integer> STATUS_CODES = Set.of(200, 429, 500, 503);

  private final ScenarioCatalogue catalogue = ScenarioCatalogue.standard();
  private final Map<String, Calls> generated = new HashMap<>();

  private Calls scenario(String name) {
    return generated.computeIfAbsent(name, n -> Calls.of(catalogue.scenario(n, SEED, SMALL, START)));
  }

  Stream<String> names() {
    return catalogue.names().stream();
  }

  @ParameterizedTest
  @MethodSource("names")
  void everyScenarioGeneratesOrderedWellFormedLabelledCalls(String name) {
    Calls calls = scenario(name);
    ScenarioDefinition definition = catalogue.definition(name);
    Instant end = START.plus(definition.span());

    assertThat(calls.size()).isGreaterThan(100);
    Set<String> requestIds = new HashSet<>();
    Instant previous = Instant.MIN;
    for (LabelledCall labelled : calls.labelled) {
      ApiCall call = labelled.call();
      Label label = labelled.label();
      assertThat(call.getEventTime()).isAfterOrEqualTo(previous).isAfterOrEqualTo(START).isBefore(end);
      previous = call.getEventTime();
      assertThat(requestIds.add(call.getRequestId())).as("unique request id %s", call.getRequestId()).isTrue();
      assertThat(label.scenario()).isEqualTo(name);
      assertThat(label.campaignId() != null).isEqualTo(label.campaign());
      assertThat(call.getAccountId()).startsWith("acct-");
      assertThat(call.getAccountCreatedAt()).isBefore(call.getEventTime());
      assertThat(isPublic(call.getClientIp())).as("public address %s", call.getClientIp()).isTrue();
      assertThat(call.getAsn()).isPositive();
      assertThat(call.getCountry()).matches("[A-Z]{2}");
      assertThat(call.getPromptTokens()).isPositive();
      assertThat(call.getStatusCode()).isIn(STATUS_CODES);
      assertThat(call.getCompletionTokens() > 0).isEqualTo(call.getStatusCode() == 200);
      assertThat(call.getModel()).startsWith("nova-");
    }
    assertThat(calls.labelled).extracting(c -> c.label().population()).contains("organic-chat", "organic-api");
    double okShare = calls.where(c -> c.call().getStatusCode() == 200).size() / (double) calls.size();
    assertThat(okShare).isBetween(0.9, 0.995);
  }

  @Test
  void organicBackgroundIsDiverseLightAndMostlyOld() {
    Calls organic = scenario("light-chat-users").where(c -> c.label().population().startsWith("organic-"));
    assertThat(labels(organic)).noneMatch(Label::campaign);
    double cotShare = organic.where(c -> c.call().getCotElicitation()).size() / (double) organic.size();
    assertThat(cotShare).isBetween(0.04, 0.11);
    long old = organic.calls().stream()
        .filter(c -> Duration.between(c.getAccountCreatedAt(), c.getEventTime()).toDays() >= 30).count();
    assertThat(old / (double) organic.size()).isGreaterThan(0.85);
    assertThat(organic.distinct(ApiCall::getCapability)).contains(Capability.CHAT, Capability.CODE,
        Capability.REASONING);
    long ipv6 = organic.population("organic-chat").calls().stream().filter(c -> c.getClientIp().contains(":")).count();
    assertThat(ipv6).isPositive();
    assertThat(organic.distinct(ApiCall::getPromptSimhash).size()).isGreaterThan(organic.size() * 95 / 100);
  }

  @Test
  void lightChatUsersAreManyAndLight() {
    Calls light = scenario("light-chat-users").population("light-chat");
    assertThat(light.accounts()).isGreaterThanOrEqualTo(100);
    assertThat(labels(light)).allMatch(l -> !l.sharedAddress());
    assertThat(light.byAccount().values().stream().mapToInt(List::size).max().orElseThrow()).isLessThan(40);
  }

  @Test
  void heavyCustomersSendHundredsAMinuteBehindOneSystemPrompt() {
    Calls heavy = scenario("heavy-customers").population("heavy-customer");
    assertThat(heavy.accounts()).isGreaterThanOrEqualTo(2);
    for (List<ApiCall> account : heavy.byAccount().values()) {
      assertThat(Calls.perMinute(account)).isGreaterThan(100);
      Calls own = heavy.where(c -> c.call().getAccountId().equals(account.get(0).getAccountId()));
      assertThat(own.slash24s()).hasSize(1);
      assertThat(own.distinct(ApiCall::getCapability)).hasSizeGreaterThan(2);
      assertThat(account.stream().mapToInt(ApiCall::getPromptTokens).average().orElseThrow()).isGreaterThan(120);
    }
  }

  @Test
  void ciHarnessReplaysItsSuiteAtRegularTiming() {
    Calls harness = scenario("ci-eval-harness").population("ci-harness");
    assertThat(harness.accounts()).isEqualTo(1);
    assertThat(harness.size()).isEqualTo(300);
    assertThat(harness.distinct(ApiCall::getPromptSimhash)).hasSize(300);
    assertThat(Duration.between(harness.first(), harness.last())).isBetween(Duration.ofMinutes(4),
        Duration.ofMinutes(6));
    assertThat(Calls.coefficientOfVariation(Calls.gaps(harness.calls()))).isLessThan(0.1);
    assertThat(harness.distinct(ApiCall::getCapability)).containsOnly(Capability.REASONING, Capability.CODE);
  }

  @Test
  void ciHarnessReplaysTheSameSuiteEveryNight() {
    Scenario twoNights = Scenario.builder("nights").seed(3).start(Instant.parse("2025-06-02T00:00:00Z"))
        .span(Duration.ofDays(2)).population(OrganicTraffic.ciHarness(1, 50)).build();
    List<ApiCall> calls = Calls.of(twoNights).calls();
    assertThat(calls).hasSize(100);
    assertThat(calls.get(0).getEventTime().atZone(ZoneOffset.UTC).getHour()).isEqualTo(2);
    assertThat(calls.get(50).getEventTime()).isAfter(calls.get(49).getEventTime().plus(Duration.ofHours(20)));
    assertThat(calls.subList(50, 100)).extracting(ApiCall::getPromptSimhash)
        .containsExactlyElementsOf(calls.subList(0, 50).stream().map(ApiCall::getPromptSimhash).toList());
  }

  @Test
  void universityCohortIsNewAccountsOnOneSubnetWithOneAssignment() {
    Calls cohort = scenario("university-cohort").population("university-cohort");
    assertThat(cohort.accounts()).isGreaterThanOrEqualTo(30);
    assertThat(cohort.slash24s()).hasSize(1);
    assertThat(labels(cohort)).allMatch(l -> l.sharedAddress() && !l.campaign());
    LocalDate classDay = START.atZone(ZoneOffset.UTC).toLocalDate();
    assertEvery(cohort.calls(), c -> c.getAccountCreatedAt().atZone(ZoneOffset.UTC).toLocalDate().equals(classDay)
        && Duration.between(c.getAccountCreatedAt(), c.getEventTime()).toHours() < 8, "created the morning of the class");
    assertThat(cohort.first()).isAfterOrEqualTo(START.plus(Duration.ofMinutes(30)));
    assertThat(cohort.last()).isBefore(START.plus(Duration.ofMinutes(90)));
    // The assignment copies sit close together in SimHash space: a cluster, unlike organic prompts.
    long nearFirstCopy = cohort.calls().stream().filter(c -> cohort.calls().stream()
        .filter(o -> PromptSimHash.distance(o.getPromptSimhash(), c.getPromptSimhash()) <= 16).count() > 20).count();
    assertThat(nearFirstCopy / (double) cohort.size()).isGreaterThan(0.4);
  }

  @Test
  void corporateNatPutsThousandsBehindAFewAddresses() {
    Calls staff = scenario("corporate-nat").population("corporate-nat");
    assertThat(staff.accounts()).isGreaterThanOrEqualTo(80);
    assertThat(staff.distinct(ApiCall::getClientIp)).hasSizeLessThanOrEqualTo(6);
    assertThat(staff.slash24s()).hasSizeBetween(1, 2);
    assertThat(staff.distinct(ApiCall::getOrgId)).hasSize(1);
    assertThat(labels(staff)).allMatch(Label::sharedAddress);
  }

  @Test
  void apiAggregatorCustomersShareItsFewEgressAddresses() {
    Calls customers = scenario("api-aggregator").population("aggregator-customer");
    assertThat(customers.accounts()).isGreaterThanOrEqualTo(40);
    assertThat(customers.distinct(ApiCall::getClientIp)).hasSize(6);
    assertThat(customers.slash24s()).hasSize(4);
    assertThat(customers.distinct(ApiCall::getAsn)).hasSize(2);
    assertThat(customers.distinct(ApiCall::getOrgId)).hasSize(1);
    assertThat(labels(customers)).allMatch(l -> l.sharedAddress() && !l.campaign());
  }

  @Test
  void releaseDayTrafficSurgesOntoTheNewModel() {
    Calls day = scenario("release-day-burst");
    Instant release = START.plus(Duration.ofHours(1));
    Calls before = day.between(START, release);
    Calls after = day.between(START.plus(Duration.ofMinutes(150)), START.plus(Duration.ofMinutes(210)));
    assertThat(after.size()).isGreaterThan(3 * before.size());
    assertThat(before.distinct(ApiCall::getModel)).doesNotContain("nova-3-large");
    assertThat(after.distinct(ApiCall::getModel)).contains("nova-3-large");
    Calls signups = day.population("release-day-signup");
    assertEvery(signups.calls(), c -> c.getAccountCreatedAt().isAfter(release.minus(Duration.ofMinutes(15))), "signed up at the release");
    Calls curious = day.population("release-day-curious");
    assertEvery(curious.calls(), c -> c.getAccountCreatedAt().isBefore(START), "existing account");
    assertThat(curious.first()).isAfterOrEqualTo(release);
  }

  @Test
  void singleAccountBurstIsOneRegularTemplatedAccount() {
    Calls burst = scenario("single-account-burst").campaign();
    assertThat(burst.accounts()).isEqualTo(1);
    assertThat(burst.perMinute()).isBetween(100.0, 300.0);
    assertThat(Duration.between(burst.first(), burst.last())).isBetween(Duration.ofMinutes(30), Duration.ofMinutes(60));
    assertThat(burst.first()).isAfterOrEqualTo(START.plus(Duration.ofMinutes(20)));
    assertThat(Calls.coefficientOfVariation(Calls.gaps(burst.calls()))).isLessThan(0.2);
    assertEvery(burst.calls(), ApiCall::getCotElicitation, "asks for reasoning");
    assertThat(withinBitsOfATemplate(burst, 10)).isGreaterThan(0.95);
  }

  @Test
  void hydraClusterIsManySlowYoungScriptedAccountsBehindProxies() {
    Calls hydra = scenario("hydra-cluster").campaign();
    assertThat(hydra.accounts()).isGreaterThanOrEqualTo(40);
    assertThat(labels(hydra)).containsExactly(new Label("hydra-cluster", "hydra", true, "hydra-cluster:c1", true));
    Duration campaignTime = Duration.between(START.plus(CampaignSpec.DEFAULT_START), START.plus(Scenario.DEFAULT_SPAN));
    assertThat(hydra.byAccount().values().stream().mapToInt(List::size).max().orElseThrow())
        .isLessThan((int) campaignTime.toMinutes());
    assertThat(hydra.first()).isAfterOrEqualTo(START.plus(Duration.ofMinutes(20)));
    assertThat(hydra.slash24s().size()).isGreaterThan(hydra.size() / 3);
    assertThat(hydra.distinct(ApiCall::getAsn).size()).isGreaterThanOrEqualTo(5);
    assertThat(hydra.distinct(ApiCall::getCountry).size()).isGreaterThanOrEqualTo(3);
    assertThat(hydra.distinct(ApiCall::getPaymentFingerprint)).hasSizeLessThanOrEqualTo(4);
    assertThat(hydra.distinct(ApiCall::getUserAgent)).hasSizeLessThanOrEqualTo(2);
    assertEvery(hydra.calls(), c -> Duration.between(c.getAccountCreatedAt(), c.getEventTime())
        .compareTo(Duration.ofDays(6)) < 0, "young account");
    assertThat(hydra.where(c -> c.call().getCotElicitation()).size()).isGreaterThan(hydra.size() * 9 / 10);
    assertThat(withinBitsOfATemplate(hydra, 8)).isGreaterThan(0.9);
  }

  @ParameterizedTest
  @MethodSource("proxyShares")
  void hydraInProxyHidesItsShareAmongTheAggregatorsCustomers(String name, int percent) {
    Calls all = scenario(name);
    Calls customers = all.population("aggregator-customer");
    Calls hydra = all.campaign();
    assertThat(hydra.accounts()).isGreaterThanOrEqualTo(40);
    assertThat(customers.distinct(ApiCall::getClientIp)).containsAll(hydra.distinct(ApiCall::getClientIp));
    assertThat(hydra.distinct(ApiCall::getOrgId)).isEqualTo(customers.distinct(ApiCall::getOrgId));
    assertThat(labels(hydra)).allMatch(Label::sharedAddress);
    Set<String> egress = customers.distinct(ApiCall::getClientIp);
    Calls throughProxy = all.where(c -> egress.contains(c.call().getClientIp()))
        .between(START.plus(CampaignSpec.DEFAULT_START), START.plus(Scenario.DEFAULT_SPAN));
    double share = 100.0 * throughProxy.campaign().size() / throughProxy.size();
    assertThat(share).isCloseTo(percent, org.assertj.core.data.Offset.offset(Math.max(2.0, percent * 0.3)));
    assertThat(hydra.byAccount().values().stream().flatMap(calls -> Calls.gaps(calls).stream()).mapToLong(g -> g)
        .min().orElseThrow()).as("shortest gap of a hydra account, ms").isGreaterThan(60_000);
  }

  Stream<org.junit.jupiter.params.provider.Arguments> proxyShares() {
    return Stream.of(5, 10, 25, 50).map(p -> org.junit.jupiter.params.provider.Arguments.of("hydra-in-proxy-" + p, p));
  }

  @Test
  void paraphrasedTemplatesDriftFurtherThanPlainOnes() {
    double plain = Calls.median(distancesToNearestTemplate(scenario("hydra-cluster").campaign()));
    double paraphrased = Calls.median(distancesToNearestTemplate(scenario("paraphrased-templates").campaign()));
    assertThat(plain).isLessThanOrEqualTo(4);
    assertThat(paraphrased).isBetween(4.0, 10.0).isGreaterThan(plain);
  }

  @Test
  void residentialRotationUsesADifferentSubnetForNearlyEveryRequest() {
    Calls hydra = scenario("residential-rotation").campaign();
    assertThat(hydra.slash24s().size()).isGreaterThan(hydra.size() * 9 / 10);
    assertThat(hydra.distinct(ApiCall::getCountry).size()).isGreaterThan(5);
  }

  @Test
  void modelPivotMovesTheCampaignToTheNewModelWithinHoursOfRelease() {
    Calls hydra = scenario("model-pivot").campaign();
    Instant release = START.plus(Duration.ofHours(2));
    Instant pivot = release.plus(Duration.ofMinutes(90));
    assertThat(hydra.between(START, pivot).distinct(ApiCall::getModel)).containsOnly("nova-2-large");
    assertThat(hydra.between(pivot, START.plus(Duration.ofHours(6))).distinct(ApiCall::getModel))
        .containsOnly("nova-3-large");
    assertThat(scenario("model-pivot").population("organic-chat").between(release, pivot)
        .distinct(ApiCall::getModel)).contains("nova-3-large", "nova-2-large");
  }

  @Test
  void banAndReplaceRunsWavesOfShortLivedAccountsOnTheSameProxies() {
    Calls hydra = scenario("ban-and-replace").campaign();
    Map<String, List<ApiCall>> accounts = hydra.byAccount();
    Duration longestLife = accounts.values().stream()
        .map(calls -> Duration.between(calls.get(0).getEventTime(), calls.get(calls.size() - 1).getEventTime()))
        .max(Duration::compareTo).orElseThrow();
    assertThat(longestLife).isLessThanOrEqualTo(Duration.ofMinutes(40));
    Set<Long> waves = new HashSet<>();
    for (List<ApiCall> calls : accounts.values()) {
      long minutesIn = Duration.between(START.plus(CampaignSpec.DEFAULT_START), calls.get(0).getEventTime()).toMinutes();
      waves.add(minutesIn / 35);
    }
    assertThat(waves).hasSizeGreaterThanOrEqualTo(4);
    Set<String> firstWaveSubnets = hydra.between(START, START.plus(Duration.ofMinutes(60))).slash24s();
    Set<String> laterSubnets = hydra.between(START.plus(Duration.ofMinutes(100)), START.plus(Duration.ofHours(3))).slash24s();
    assertThat(laterSubnets).containsAnyElementsOf(firstWaveSubnets);
  }

  @Test
  void lowAndSlowSpreadsFewRequestsOverThreeDays() {
    Calls hydra = scenario("low-and-slow").campaign();
    assertThat(Duration.between(hydra.first(), hydra.last())).isGreaterThan(Duration.ofDays(2));
    List<Long> gaps = hydra.byAccount().values().stream().flatMap(calls -> Calls.gaps(calls).stream()).toList();
    assertThat(Calls.median(gaps)).isBetween((double) Duration.ofHours(3).toMillis(), (double) Duration.ofHours(5).toMillis());
    // 300 accounts at one request every four hours at scale 1: about 1.25 a minute.
    assertThat(300 * 0.25 / 60).isBetween(1.0, 3.0);
  }

  @Test
  void jitteredHumanTimingLooksLikeSessions() {
    Calls hydra = scenario("jittered-human-timing").campaign();
    assertThat(hydra.accounts()).isGreaterThanOrEqualTo(40);
    List<Long> gaps = hydra.byAccount().values().stream().flatMap(calls -> Calls.gaps(calls).stream()).toList();
    long short_ = gaps.stream().filter(g -> g < Duration.ofMinutes(10).toMillis()).count();
    long long_ = gaps.stream().filter(g -> g > Duration.ofMinutes(30).toMillis()).count();
    assertThat(short_).isGreaterThan(gaps.size() / 3);
    assertThat(long_).isPositive();
    assertThat(Calls.coefficientOfVariation(gaps)).isGreaterThan(1.0);
  }

  /** Like allMatch, but reports only the first offending call rather than the whole list. */
  private static void assertEvery(List<ApiCall> calls, java.util.function.Predicate<ApiCall> expected, String what) {
    calls.stream().filter(expected.negate()).findFirst()
        .ifPresent(c -> org.assertj.core.api.Assertions.fail("not " + what + ": " + c));
  }

  private static Set<Label> labels(Calls calls) {
    return calls.labelled.stream().map(LabelledCall::label).collect(java.util.stream.Collectors.toSet());
  }

  private static double withinBitsOfATemplate(Calls calls, int bits) {
    return distancesToNearestTemplate(calls).stream().filter(d -> d <= bits).count() / (double) calls.size();
  }

  private static List<Integer> distancesToNearestTemplate(Calls calls) {
    List<Long> templates = ExtractionTemplate.all().stream().map(t -> PromptSimHash.of(t.unfilledText())).toList();
    return calls.calls().stream()
        .map(c -> templates.stream().mapToInt(t -> PromptSimHash.distance(t, c.getPromptSimhash())).min().orElseThrow())
        .toList();
  }

  private static boolean isPublic(String ip) {
    if (ip.contains(":")) {
      return ip.startsWith("2") && !ip.startsWith("2001:db8");
    }
    String[] octets = ip.split("\\.");
    int last = Integer.parseInt(octets[3]);
    return octets.length == 4 && last > 0 && last < 255
        && AddressText.isPublicSlash16(Integer.parseInt(octets[0]), Integer.parseInt(octets[1]));
  }
}
