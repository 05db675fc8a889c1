package dev.winnow.api;

import java.util.Locale;
import java.util.Objects;

/**
 * How a rerank stage's score was fused with the score the hit brought from the earlier tier (the
 * first stage, or the previous rerank stage), over this query's candidates of the stage.
 *
 * <p>{@link Method#LINEAR}: each input is min-max normalised over the stage's candidates (1 when
 * all are equal) and {@code score = weight * earlierNormalized + (1 - weight) * stageNormalized}.
 * {@link Method#RRF}: each input is replaced by {@code 1 / (weight + rank)} (here {@code weight} is
 * RRF's constant k, the rank 1-based in that input's order) and {@code score = earlierNormalized +
 * stageNormalized}.
 *
 * @param method the fusion rule
 * @param weight linear: the earlier tier's weight in [0, 1]; rrf: the constant k
 * @param earlierScore the score the hit brought into the stage
 * @param earlierNormalized that score normalised (linear) or as a reciprocal rank (rrf)
 * @param stageScore the stage's own score (after its activation)
 * @param stageNormalized that score normalised (linear) or as a reciprocal rank (rrf)
 * @param score the fused score, the hit's score after the stage
 */
public record StageFusion(
    Method method,
    double weight,
    double earlierScore,
    double earlierNormalized,
    double stageScore,
    double stageNormalized,
    double score) {

  /** The fusion rules a rerank stage offers. */
  public enum Method {
    LINEAR,
    RRF;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public StageFusion {
    Objects.requireNonNull(method, "method");
    for (double v :
        new double[] {
          weight, earlierScore, earlierNormalized, stageScore, stageNormalized, score
        }) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("stage fusion values must be finite, got " + v);
      }
    }
  }

  /** Linear fusion of two normalised inputs: the one formula both the stage and its sweep use. */
  public static double linear(double weight, double earlierNormalized, double stageNormalized) {
    return weight * earlierNormalized + (1 - weight) * stageNormalized;
  }
}
