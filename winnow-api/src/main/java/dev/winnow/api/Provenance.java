package dev.winnow.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How a hit got its score: the first stage that found it (retriever name, 1-based rank, score), a
 * fused score when several first stages were combined, then every later stage in order.
 *
 * <p>When the first stage fused several lists (hybrid retrieval), {@code retriever}, {@code
 * firstStageRank} and {@code firstStageScore} describe the fused list and {@code sources} says
 * where each input list placed the hit (lists that missed it are absent); otherwise {@code sources}
 * is empty.
 */
public record Provenance(
    String retriever,
    int firstStageRank,
    double firstStageScore,
    OptionalDouble fusedScore,
    List<StageScore> stages,
    List<SourceRank> sources) {

  public Provenance {
    Objects.requireNonNull(retriever, "retriever");
    Objects.requireNonNull(fusedScore, "fusedScore");
    if (firstStageRank < 1) {
      throw new IllegalArgumentException("firstStageRank must be >= 1, got " + firstStageRank);
    }
    stages = List.copyOf(stages);
    sources = List.copyOf(sources);
  }

  /** A provenance without fusion sources. */
  public Provenance(
      String retriever,
      int firstStageRank,
      double firstStageScore,
      OptionalDouble fusedScore,
      List<StageScore> stages) {
    this(retriever, firstStageRank, firstStageScore, fusedScore, stages, List.of());
  }

  public static Provenance firstStage(String retriever, int rank, double score) {
    return new Provenance(retriever, rank, score, OptionalDouble.empty(), List.of());
  }

  /**
   * The provenance of a hit at {@code rank} of a fused list named {@code retriever}: the fused
   * score is both its first-stage score and its fused score, and {@code sources} say where the
   * input lists placed it.
   */
  public static Provenance fused(
      String retriever, int rank, double fusedScore, List<SourceRank> sources) {
    return new Provenance(
        retriever, rank, fusedScore, OptionalDouble.of(fusedScore), List.of(), sources);
  }

  Provenance then(StageScore step) {
    List<StageScore> next = new ArrayList<>(stages);
    next.add(Objects.requireNonNull(step, "step"));
    return new Provenance(retriever, firstStageRank, firstStageScore, fusedScore, next, sources);
  }

  Provenance withFusedScore(double fused) {
    return new Provenance(
        retriever, firstStageRank, firstStageScore, OptionalDouble.of(fused), stages, sources);
  }
}
