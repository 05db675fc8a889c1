package dev.winnow.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How a hit got its score: the first stage that found it (retriever name, 1-based rank, score), a
 * fused score when several first stages were combined, then every later stage in order.
 */
public record Provenance(
    String retriever,
    int firstStageRank,
    double firstStageScore,
    OptionalDouble fusedScore,
    List<StageScore> stages) {

  public Provenance {
    Objects.requireNonNull(retriever, "retriever");
    Objects.requireNonNull(fusedScore, "fusedScore");
    if (firstStageRank < 1) {
      throw new IllegalArgumentException("firstStageRank must be >= 1, got " + firstStageRank);
    }
    stages = List.copyOf(stages);
  }

  public static Provenance firstStage(String retriever, int rank, double score) {
    return new Provenance(retriever, rank, score, OptionalDouble.empty(), List.of());
  }

  Provenance then(StageScore step) {
    List<StageScore> next = new ArrayList<>(stages);
    next.add(Objects.requireNonNull(step, "step"));
    return new Provenance(retriever, firstStageRank, firstStageScore, fusedScore, next);
  }

  Provenance withFusedScore(double fused) {
    return new Provenance(
        retriever, firstStageRank, firstStageScore, OptionalDouble.of(fused), stages);
  }
}
