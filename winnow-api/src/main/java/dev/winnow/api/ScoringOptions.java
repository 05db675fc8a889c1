package dev.winnow.api;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Per-call choices for a cross-encoder: the activation (empty: the model's default), the maximum
 * total length in tokens including specials (empty: the model's), and the truncation rule.
 */
public record ScoringOptions(
    Optional<Activation> activation, OptionalInt maxLength, Truncation truncation) {

  public static final ScoringOptions DEFAULTS =
      new ScoringOptions(Optional.empty(), OptionalInt.empty(), Truncation.LONGEST_FIRST);

  public ScoringOptions {
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(maxLength, "maxLength");
    Objects.requireNonNull(truncation, "truncation");
    if (maxLength.isPresent() && maxLength.getAsInt() < 4) {
      throw new IllegalArgumentException("maxLength must be >= 4, got " + maxLength.getAsInt());
    }
  }

  public ScoringOptions withActivation(Activation a) {
    return new ScoringOptions(Optional.of(a), maxLength, truncation);
  }

  public ScoringOptions withMaxLength(int n) {
    return new ScoringOptions(activation, OptionalInt.of(n), truncation);
  }

  public ScoringOptions withTruncation(Truncation t) {
    return new ScoringOptions(activation, maxLength, t);
  }
}
