package dev.winnow.api;

import java.util.Objects;

/**
 * Where one first-stage list placed a hit before several lists were fused: the list's retriever
 * name, the hit's 1-based rank in it and the score that list gave it.
 */
public record SourceRank(String retriever, int rank, double score) {

  public SourceRank {
    Objects.requireNonNull(retriever, "retriever");
    if (rank < 1) {
      throw new IllegalArgumentException("rank must be >= 1, got " + rank);
    }
    if (Double.isNaN(score)) {
      throw new IllegalArgumentException("score from '" + retriever + "' is NaN");
    }
  }
}
