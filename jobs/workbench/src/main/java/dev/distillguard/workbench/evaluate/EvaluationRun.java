package dev.distillguard.workbench.evaluate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A whole evaluation: every scenario's outcome, the targets checked, the calibration, and how it was made.
 *
 * @param command the command line that made it, for the report to quote
 * @param settings the detector settings that differ from the defaults, if any
 */
public record EvaluationRun(
    Instant finishedAt,
    String command,
    double scale,
    long seed,
    String machine,
    Duration wallTime,
    Map<String, String> settings,
    List<ScenarioOutcome> outcomes,
    List<TargetCheck> targets,
    Calibration calibration) {}
