package dev.distillguard.workbench.evaluate;

/**
 * One acceptance target checked against one scenario.
 *
 * @param target the target, in words
 * @param scenario the scenario it was checked on
 * @param met whether the scenario meets it
 * @param measured what was measured, in words with the figure
 */
public record TargetCheck(String target, String scenario, boolean met, String measured) {}
