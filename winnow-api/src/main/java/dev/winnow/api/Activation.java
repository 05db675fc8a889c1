package dev.winnow.api;

import java.util.Locale;

/** What turns a model's raw logit into the score a caller sees. */
public enum Activation {
  /** The logit itself. */
  RAW,
  /**
   * {@code 1 / (1 + exp(-logit))}, the sentence-transformers CrossEncoder default for one label.
   */
  SIGMOID;

  public double apply(double logit) {
    return switch (this) {
      case RAW -> logit;
      case SIGMOID -> 1.0 / (1.0 + Math.exp(-logit));
    };
  }

  /** Parses {@code raw} or {@code sigmoid} (any case); names the allowed values otherwise. */
  public static Activation parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "raw" -> RAW;
      case "sigmoid" -> SIGMOID;
      default ->
          throw new IllegalArgumentException(
              "activation must be one of raw, sigmoid; got '" + name + "'");
    };
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
