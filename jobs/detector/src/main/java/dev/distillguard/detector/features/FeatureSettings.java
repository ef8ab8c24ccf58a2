package dev.distillguard.detector.features;

import java.io.Serializable;
import java.time.Duration;

/**
 * How sliding-window features are cut and bounded.
 *
 * @param windowSize length of each window; a whole number of slides
 * @param slide distance between window ends, and the size of a pane
 * @param sampleSize requests kept per pane and per window for template clustering
 * @param clusterRadiusBits SimHash distance within which two requests share a template
 * @param maxOffsetsPerPane arrival times kept per account pane for timing regularity
 * @param maxMembersPerPane distinct accounts (and subnets, ASNs, countries) kept per pane
 * @param maxListedAccounts accounts listed in one window's features, and so in one decision
 * @param youngAccountAge an account younger than this at the call is young
 */
public record FeatureSettings(
    Duration windowSize,
    Duration slide,
    int sampleSize,
    int clusterRadiusBits,
    int maxOffsetsPerPane,
    int maxMembersPerPane,
    int maxListedAccounts,
    Duration youngAccountAge) implements Serializable {

  public FeatureSettings {
    if (slide.isNegative() || slide.isZero()) {
      throw new IllegalArgumentException("window.slide must be positive, was " + slide);
    }
    if (windowSize.compareTo(slide) < 0 || windowSize.toMillis() % slide.toMillis() != 0) {
      throw new IllegalArgumentException(
          "window.size must be a whole number of slides, was " + windowSize + " with slide " + slide);
    }
    if (windowSize.toMillis() / slide.toMillis() > 1440) {
      throw new IllegalArgumentException("window.size / window.slide must be at most 1440 panes");
    }
    if (sampleSize < 8 || sampleSize > 4096) {
      throw new IllegalArgumentException("features.sample-size must be in [8, 4096], was " + sampleSize);
    }
    if (clusterRadiusBits < 0 || clusterRadiusBits > 24) {
      throw new IllegalArgumentException(
          "template.cluster-radius-bits must be in [0, 24], was " + clusterRadiusBits);
    }
    if (maxOffsetsPerPane < 2) {
      throw new IllegalArgumentException("features.max-arrivals-per-pane must be at least 2");
    }
    if (maxMembersPerPane < 1 || maxListedAccounts < 1) {
      throw new IllegalArgumentException("member caps must be positive");
    }
    if (youngAccountAge.isNegative()) {
      throw new IllegalArgumentException("account.young-age must not be negative");
    }
  }

  public long slideMillis() {
    return slide.toMillis();
  }

  public long windowMillis() {
    return windowSize.toMillis();
  }

  public int panesPerWindow() {
    return (int) (windowSize.toMillis() / slide.toMillis());
  }

  public static FeatureSettings defaults() {
    return new FeatureSettings(Duration.ofMinutes(10), Duration.ofMinutes(1), 64, 12, 128, 10_000, 50_000,
        Duration.ofDays(14));
  }
}
