package dev.winnow.pipeline;

import dev.winnow.api.Hit;
import dev.winnow.api.Provenance;
import dev.winnow.api.SourceRank;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Normalised linear fusion: each list's scores are normalised over the hits that list returned for
 * this query ({@link Normalization}), then a document's fused score is {@code sum_i w_i * norm_i}.
 * A list that missed a document contributes that list's lowest normalised score (the document
 * ranked below everything the list returned): 0 under min-max, {@code (min - mean) / sd} under
 * z-score. An empty list contributes nothing.
 *
 * <p>For two lists {@link #of(Normalization, double)} takes the weight {@code alpha} of the first
 * and gives {@code 1 - alpha} to the second. Immutable and thread-safe.
 */
public final class LinearFusion implements Fusion {

  /** How one list's scores are put on a common scale before weighting. */
  public enum Normalization {
    /** {@code (s - min) / (max - min)}; every score is 1 when all are equal. */
    MIN_MAX,
    /** {@code (s - mean) / sd} (population sd); every score is 0 when all are equal. */
    Z_SCORE;

    public static Normalization parse(String name) {
      return switch (name.toLowerCase(Locale.ROOT).replace('_', '-')) {
        case "min-max", "minmax" -> MIN_MAX;
        case "z-score", "zscore" -> Z_SCORE;
        default ->
            throw new IllegalArgumentException(
                "normalization must be one of min-max, z-score; got '" + name + "'");
      };
    }

    public String label() {
      return this == MIN_MAX ? "minmax" : "zscore";
    }
  }

  private final Normalization normalization;
  private final double[] weights;

  public LinearFusion(Normalization normalization, double... weights) {
    this.normalization = java.util.Objects.requireNonNull(normalization, "normalization");
    if (weights.length == 0) {
      throw new IllegalArgumentException("weights must name one weight per list, got none");
    }
    double sum = 0;
    for (double w : weights) {
      if (!Double.isFinite(w) || w < 0) {
        throw new IllegalArgumentException("weights must be finite and >= 0, got " + w);
      }
      sum += w;
    }
    if (sum <= 0) {
      throw new IllegalArgumentException("weights must not all be 0");
    }
    this.weights = weights.clone();
  }

  /** Two lists: {@code alpha} for the first, {@code 1 - alpha} for the second. */
  public static LinearFusion of(Normalization normalization, double alpha) {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
    return new LinearFusion(normalization, alpha, 1 - alpha);
  }

  @Override
  public List<Hit> fuse(List<RankedList> lists, int k) {
    if (lists.size() != weights.length) {
      throw new IllegalArgumentException(
          "linear fusion has " + weights.length + " weights but got " + lists.size() + " lists");
    }
    double[][] norm = new double[lists.size()][];
    double[] floor = new double[lists.size()];
    for (int l = 0; l < lists.size(); l++) {
      List<Hit> hits = lists.get(l).hits();
      norm[l] = normalise(hits);
      double min = 0;
      for (int i = 0; i < norm[l].length; i++) {
        min = i == 0 ? norm[l][i] : Math.min(min, norm[l][i]);
      }
      floor[l] = min;
    }
    List<Candidate> candidates = new ArrayList<>(Fusion.union(lists));
    double[] scores = new double[candidates.size()];
    for (int i = 0; i < scores.length; i++) {
      SourceRank[] places = candidates.get(i).places();
      double s = 0;
      for (int l = 0; l < places.length; l++) {
        if (norm[l].length == 0) {
          continue;
        }
        double v = places[l] == null ? floor[l] : norm[l][places[l].rank() - 1];
        s += weights[l] * v;
      }
      scores[i] = s;
    }
    return Fusion.rank(name(), candidates, scores, k);
  }

  private double[] normalise(List<Hit> hits) {
    double[] scores = new double[hits.size()];
    for (int i = 0; i < scores.length; i++) {
      Hit h = hits.get(i);
      if (!Double.isFinite(h.score())) {
        throw new IllegalArgumentException(
            "linear fusion needs finite scores, got " + h.score() + " for '" + h.id() + "'");
      }
      scores[i] = h.score();
    }
    return normalise(normalization, scores);
  }

  /** {@code scores} on {@code normalization}'s scale, over these scores alone. */
  static double[] normalise(Normalization normalization, double[] scores) {
    int n = scores.length;
    double[] out = new double[n];
    if (n == 0) {
      return out;
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double mean = 0;
    for (double s : scores) {
      min = Math.min(min, s);
      max = Math.max(max, s);
      mean += s;
    }
    mean /= n;
    double var = 0;
    for (double s : scores) {
      var += (s - mean) * (s - mean);
    }
    double sd = Math.sqrt(var / n);
    for (int i = 0; i < n; i++) {
      double s = scores[i];
      out[i] =
          switch (normalization) {
            case MIN_MAX -> max > min ? (s - min) / (max - min) : 1.0;
            case Z_SCORE -> sd > 0 ? (s - mean) / sd : 0.0;
          };
    }
    return out;
  }

  @Override
  public String name() {
    StringBuilder sb = new StringBuilder("linear(").append(normalization.label()).append(", w=");
    for (int i = 0; i < weights.length; i++) {
      sb.append(i == 0 ? "" : "/").append(Explanation.number(weights[i]));
    }
    return sb.append(')').toString();
  }

  @Override
  public String explain(Provenance p) {
    StringBuilder sb = new StringBuilder();
    for (SourceRank s : p.sources()) {
      if (sb.length() > 0) {
        sb.append(" + ");
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "w·%s(%s #%d %s)",
              normalization.label(),
              s.retriever(),
              s.rank(),
              Explanation.number(s.score())));
    }
    sb.append(" [+ floor for lists that missed it; normalised over each list] = ")
        .append(Explanation.number(p.fusedScore().orElse(p.firstStageScore())));
    return sb.toString();
  }
}
