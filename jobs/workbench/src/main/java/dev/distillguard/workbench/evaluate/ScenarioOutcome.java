package dev.distillguard.workbench.evaluate;

import java.time.Duration;
import java.util.Map;

/**
 * One scenario run through the real job, scored against its labels.
 *
 * @param adversarial whether the scenario plants a campaign
 * @param decisionsByTypeAndAction decision records by {@code TYPE/ACTION}, e.g. {@code CAMPAIGN/BLOCK}
 */
public record ScenarioOutcome(
    String name,
    String description,
    boolean adversarial,
    long calls,
    int deadLetters,
    Duration jobTime,
    Scoreboard score,
    Timeline timeline,
    Map<String, Integer> decisionsByTypeAndAction) {}
