package dev.distillguard.detector.config;

/** A setting that cannot be used, with its name and what was wrong. Stops the job before it starts. */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
