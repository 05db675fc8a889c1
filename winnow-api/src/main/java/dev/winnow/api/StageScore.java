package dev.winnow.api;

import java.util.Objects;
import java.util.Optional;

/**
 * What one rerank stage said about one hit: the stage name (e.g. {@code cross-encoder:<model>}),
 * the raw model output, the activation applied and the resulting score, the passage window that was
 * scored when the document was split, whether the score came from a cache, and for a
 * late-interaction stage its token matches.
 */
public record StageScore(
    String stage,
    double raw,
    Activation activation,
    double score,
    Optional<PassageWindow> window,
    boolean cached,
    Optional<LateInteractionScore> lateInteraction) {

  public StageScore {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(lateInteraction, "lateInteraction");
  }

  /** A stage score without late-interaction detail. */
  public StageScore(
      String stage,
      double raw,
      Activation activation,
      double score,
      Optional<PassageWindow> window,
      boolean cached) {
    this(stage, raw, activation, score, window, cached, Optional.empty());
  }
}
