/**
 * Seeded, reproducible gateway traffic with ground-truth labels, for developing and evaluating the
 * distillation detector.
 *
 * <p>A {@link dev.distillguard.simulate.Scenario} is a lazy, time-ordered stream of
 * {@link dev.distillguard.simulate.LabelledCall}s: an {@code ApiCall} exactly as the gateway would
 * write it, and a {@link dev.distillguard.simulate.Label} that never enters the call. Scenarios are made
 * of {@link dev.distillguard.simulate.Population}s, each a group of accounts composed from building
 * blocks in the subpackages: who the accounts are ({@code account}), where they send from
 * ({@code network}), when ({@code timing}) and what ({@code prompt}).
 *
 * <ul>
 *   <li>{@link dev.distillguard.simulate.ScenarioCatalogue}: the named benign and adversarial scenarios.
 *   <li>{@link dev.distillguard.simulate.ScenarioSpec}: organic background plus one configurable
 *       {@link dev.distillguard.simulate.CampaignSpec}, for demos.
 *   <li>{@link dev.distillguard.simulate.KafkaTrafficWriter} and {@link dev.distillguard.simulate.LabelFile}:
 *       the gateway topic and the label side file; {@link dev.distillguard.simulate.Simulate} is the
 *       command line over both.
 * </ul>
 */
package dev.distillguard.simulate;
