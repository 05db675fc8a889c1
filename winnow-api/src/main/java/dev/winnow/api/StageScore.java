package dev.winnow.api;

import java.util.Objects;
import java.util.Optional;

/**
 * What one rerank stage said about one hit: the stage name (e.g. {@code cross-encoder:<model>}),
 * the raw model output, the activation applied and the resulting score, the passage window that was
 * scored when the document was split, whether the score came from a cache, when the stage fuses its
 * score with the earlier tier's, how ({@link StageFusion}; then {@code score} is the fused score
 * and {@code activation.apply(raw)} the stage's own), and for a late-interaction stage its token
 * matches.
 */
public record StageScore(
    String stage,
    double raw,
    Activation activation,
    double score,
    Optional<PassageWindow> window,
    boolean cached,
    Optional<StageFusion> fusion,
    Optional<LateInteractionScore> lateInteraction) {

  public StageScore {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(fusion, "fusion");
    Objects.requireNonNull(lateInteraction, "lateInteraction");
    if (fusion.isPresent() && fusion.get().score() != score) {
      throw new IllegalArgumentException(
          "score of stage '"
              + stage
              + "' must be its fused score "
              + fusion.get().score()
              + ", got "
              + score);
    }
  }

  /** A stage score without fusion or late-interaction detail. */
  public StageScore(
      String stage,
      double raw,
      Activation activation,
      double score,
      Optional<PassageWindow> window,
      boolean cached) {
    this(stage, raw, activation, score, window, cached, Optional.empty(), Optional.empty());
  }

  /** The stage's own score before any fusion. */
  public double stageScore() {
    return fusion.map(StageFusion::stageScore).orElse(score);
  }

  /** This verdict fused with the earlier tier: the score becomes {@code f.score()}. */
  public StageScore fused(StageFusion f) {
    return new StageScore(
        stage, raw, activation, f.score(), window, cached, Optional.of(f), lateInteraction);
  }
}
