package dev.winnow.api;

import java.util.Comparator;
import java.util.Objects;

/**
 * One candidate flowing through a cascade: its id, the text the next stage reads, its current score
 * and how it got that score.
 *
 * <p>{@link #ORDER} is the single ordering rule of the project: score descending, then first-stage
 * rank ascending, then id. Scores are never NaN: stages reject NaN before it can be ranked.
 */
public record Hit(String id, String text, double score, Provenance provenance) {

  /** Score descending, then first-stage rank, then id: the one order every ranked list uses. */
  public static final Comparator<Hit> ORDER =
      Comparator.comparingDouble(Hit::score)
          .reversed()
          .thenComparingInt((Hit h) -> h.provenance().firstStageRank())
          .thenComparing(Hit::id);

  public Hit {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(provenance, "provenance");
    if (Double.isNaN(score)) {
      throw new IllegalArgumentException("score of hit '" + id + "' is NaN");
    }
  }

  /** A first-stage hit: its score and 1-based rank become the provenance's first-stage entry. */
  public static Hit firstStage(String id, String text, int rank, double score, String retriever) {
    return new Hit(id, text, score, Provenance.firstStage(retriever, rank, score));
  }

  /** This hit re-scored by a later stage; the step is appended to the provenance. */
  public Hit rescored(StageScore step) {
    return new Hit(id, text, step.score(), provenance.then(step));
  }

  /** This hit with a fused first-stage score (hybrid retrieval). */
  public Hit fused(double fusedScore) {
    return new Hit(id, text, fusedScore, provenance.withFusedScore(fusedScore));
  }
}
