package dev.winnow.api;

import java.util.Objects;
import java.util.Optional;

/**
 * What one rerank stage said about one hit: the stage name (e.g. {@code cross-encoder:<model>}),
 * the raw model output, the activation applied and the resulting score, the passage window that was
 * scored when the document was split, and whether the score came from a cache.
 */
public record StageScore(
    String stage,
    double raw,
    Activation activation,
    double score,
    Optional<PassageWindow> window,
    boolean cached) {

  public StageScore {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(window, "window");
  }
}
