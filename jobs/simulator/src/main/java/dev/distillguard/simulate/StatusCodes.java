package dev.distillguard.simulate;

import java.util.SplittableRandom;

/** How a population's calls end: mostly 200, some 429 (rate limited), a few 500/503. */
public record StatusCodes(double rateLimitedShare, double serverErrorShare) {

  /** What most traffic sees. */
  public static final StatusCodes TYPICAL = new StatusCodes(0.015, 0.005);
  /** A client hammering one account runs into its rate limit more often. */
  public static final StatusCodes HAMMERING = new StatusCodes(0.06, 0.005);

  public StatusCodes {
    if (rateLimitedShare < 0 || serverErrorShare < 0 || rateLimitedShare + serverErrorShare > 1) {
      throw new IllegalArgumentException("bad shares " + rateLimitedShare + ", " + serverErrorShare);
    }
  }

  public int draw(SplittableRandom rng) {
    double u = rng.nextDouble();
    if (u < rateLimitedShare) {
      return 429;
    }
    if (u < rateLimitedShare + serverErrorShare) {
      return rng.nextInt(10) < 7 ? 500 : 503;
    }
    return 200;
  }
}
