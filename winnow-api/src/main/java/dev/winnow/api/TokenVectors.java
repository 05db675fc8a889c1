package dev.winnow.api;

import java.util.List;
import java.util.Objects;

/**
 * One text as a late-interaction model sees it: one vector per kept token, row-major in {@code
 * values} ({@code tokens x dimension}), and the token each row came from (its vocabulary string,
 * for explanations).
 *
 * <p>The accessor returns the record's own array, which callers must not modify.
 */
public record TokenVectors(float[] values, int dimension, List<String> tokens) {

  public TokenVectors {
    Objects.requireNonNull(values, "values");
    tokens = List.copyOf(tokens);
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
    }
    if (values.length != tokens.size() * dimension) {
      throw new IllegalArgumentException(
          "values must hold tokens x dimension = "
              + tokens.size()
              + " x "
              + dimension
              + " floats, got "
              + values.length);
    }
  }

  /** Number of token vectors. */
  public int count() {
    return tokens.size();
  }
}
