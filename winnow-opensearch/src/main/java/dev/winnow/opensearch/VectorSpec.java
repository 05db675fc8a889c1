package dev.winnow.opensearch;

import java.util.Objects;

/**
 * The vectors an index holds: which encoder made them and their dimension. Stored in the index's
 * mapping metadata so that a search with another encoder is refused instead of answering nonsense.
 */
public record VectorSpec(String encoder, int dimension) {

  /** The k-NN plugin's limit for the Lucene engine. */
  public static final int MAX_DIMENSION = 16_000;

  public VectorSpec {
    Objects.requireNonNull(encoder, "encoder");
    if (encoder.isBlank()) {
      throw new IllegalArgumentException("encoder name must not be blank, got '" + encoder + "'");
    }
    if (dimension < 1 || dimension > MAX_DIMENSION) {
      throw new IllegalArgumentException(
          "dimension must be in [1, " + MAX_DIMENSION + "], got " + dimension);
    }
  }
}
