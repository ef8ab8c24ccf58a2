package dev.distillguard.simulate;

import dev.distillguard.contract.ApiCall;

/** A simulated call and its ground truth. */
public record LabelledCall(ApiCall call, Label label) {}
