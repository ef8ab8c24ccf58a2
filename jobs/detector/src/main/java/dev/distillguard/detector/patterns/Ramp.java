package dev.distillguard.detector.patterns;

import java.io.Serializable;

/**
 * Evidence from one feature: 0 at {@code none}, 1 at {@code full}, linear between. {@code none} may be
 * above {@code full} for features where less is more suspicious (timing variation, prompt spread).
 * Written {@code none:full} in configuration, e.g. {@code 0.3:0.8}.
 */
public record Ramp(double none, double full) implements Serializable {

  public Ramp {
    if (!Double.isFinite(none) || !Double.isFinite(full) || none == full) {
      throw new IllegalArgumentException("a ramp needs two different finite ends, was " + none + ":" + full);
    }
  }

  public double evidence(double value) {
    double t = (value - none) / (full - none);
    return t <= 0 ? 0 : t >= 1 ? 1 : t;
  }

  public static Ramp parse(String text) {
    String[] parts = text.trim().split(":");
    if (parts.length != 2) {
      throw new IllegalArgumentException("expected none:full such as 0.3:0.8, was '" + text + "'");
    }
    try {
      return new Ramp(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected none:full such as 0.3:0.8, was '" + text + "'");
    }
  }

  @Override
  public String toString() {
    return trim(none) + ":" + trim(full);
  }

  private static String trim(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e9 ? Long.toString((long) d) : Double.toString(d);
  }
}
