package dev.winnow.pipeline;

import dev.winnow.api.Hit;
import dev.winnow.api.StageFusion;
import dev.winnow.api.StageFusion.Method;
import dev.winnow.api.StageScore;
import dev.winnow.pipeline.LinearFusion.Normalization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How a rerank stage combines its own score with the score each candidate brought from the earlier
 * tier, per query over the stage's candidates ({@link StageFusion} gives the formulas): {@code
 * linear:W} (W, the earlier tier's weight in [0, 1], times its min-max normalised score plus {@code
 * 1 - W} times the stage's min-max normalised score) or {@code rrf[:K]} (reciprocal ranks of both
 * orders, K 60 by default). A cross-encoder that beats the first stage on some queries and loses on
 * others often beats both once fused; the weight is chosen on a training split ({@code winnow eval
 * --sweep-fusion}).
 *
 * <p>Immutable and thread-safe.
 */
public record RerankFusion(Method method, double weight) {

  public RerankFusion {
    Objects.requireNonNull(method, "method");
    if (method == Method.LINEAR && !(weight >= 0 && weight <= 1)) {
      throw new IllegalArgumentException(
          "rerank-fusion linear weight must be in [0, 1], got " + weight);
    }
    if (method == Method.RRF && !(weight >= 0 && weight == Math.rint(weight))) {
      throw new IllegalArgumentException(
          "rerank-fusion rrf constant must be an integer >= 0, got " + weight);
    }
  }

  public static RerankFusion linear(double weight) {
    return new RerankFusion(Method.LINEAR, weight);
  }

  /**
   * Parses {@code linear:W} or {@code rrf[:K]}; {@code none} is the caller's business (no fusion).
   */
  public static RerankFusion parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    int colon = t.indexOf(':');
    String method = colon < 0 ? t : t.substring(0, colon);
    String arg = colon < 0 ? "" : t.substring(colon + 1).trim();
    try {
      return switch (method) {
        case "linear" -> {
          if (arg.isEmpty()) {
            throw new IllegalArgumentException(
                "rerank-fusion linear needs the earlier tier's weight, e.g. linear:0.6; got '"
                    + text
                    + "'");
          }
          yield linear(Double.parseDouble(arg));
        }
        case "rrf" ->
            new RerankFusion(
                Method.RRF, arg.isEmpty() ? ReciprocalRankFusion.DEFAULT_K : Integer.parseInt(arg));
        default ->
            throw new IllegalArgumentException(
                "rerank-fusion must be none, linear:W (W in [0, 1], the earlier tier's weight) or"
                    + " rrf[:K]; got '"
                    + text
                    + "'");
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "rerank-fusion " + method + " needs a number after ':', got '" + text + "'", e);
    }
  }

  public String label() {
    return method == Method.LINEAR ? "linear:" + Explanation.number(weight) : "rrf:" + (int) weight;
  }

  /**
   * Fuses a stage's verdicts with the earlier tier: {@code candidates} are the hits the stage read,
   * in the earlier tier's order, and {@code rescored} the stage's hits for exactly those ids, each
   * ending in the stage's {@link StageScore}. Returns every candidate re-scored once by that stage,
   * its score now the fused one, ordered by {@link Hit#ORDER}.
   */
  public List<Hit> fuse(List<Hit> candidates, List<Hit> rescored) {
    int n = candidates.size();
    if (rescored.size() != n) {
      throw new IllegalArgumentException(
          "rerank fusion needs the stage's verdict on all "
              + n
              + " candidates, got "
              + rescored.size());
    }
    List<Hit> ordered = new ArrayList<>(rescored);
    ordered.sort(Hit.ORDER);
    Map<String, Integer> stageRank = new HashMap<>();
    Map<String, StageScore> verdicts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Hit h = ordered.get(i);
      List<StageScore> stages = h.provenance().stages();
      if (stages.isEmpty()) {
        throw new IllegalArgumentException("hit '" + h.id() + "' carries no stage score to fuse");
      }
      stageRank.put(h.id(), i + 1);
      verdicts.put(h.id(), stages.get(stages.size() - 1));
    }
    double[] earlier = new double[n];
    double[] own = new double[n];
    for (int i = 0; i < n; i++) {
      Hit c = candidates.get(i);
      StageScore v = verdicts.get(c.id());
      if (v == null) {
        throw new IllegalArgumentException("the stage returned no verdict on '" + c.id() + "'");
      }
      earlier[i] = c.score();
      own[i] = v.stageScore();
    }
    double[] earlierNorm = new double[n];
    double[] ownNorm = new double[n];
    if (method == Method.LINEAR) {
      earlierNorm = LinearFusion.normalise(Normalization.MIN_MAX, earlier);
      ownNorm = LinearFusion.normalise(Normalization.MIN_MAX, own);
    } else {
      for (int i = 0; i < n; i++) {
        earlierNorm[i] = 1.0 / (weight + i + 1);
        ownNorm[i] = 1.0 / (weight + stageRank.get(candidates.get(i).id()));
      }
    }
    List<Hit> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Hit c = candidates.get(i);
      double fused =
          method == Method.LINEAR
              ? StageFusion.linear(weight, earlierNorm[i], ownNorm[i])
              : earlierNorm[i] + ownNorm[i];
      StageFusion f =
          new StageFusion(method, weight, earlier[i], earlierNorm[i], own[i], ownNorm[i], fused);
      out.add(c.rescored(verdicts.get(c.id()).fused(f)));
    }
    out.sort(Hit.ORDER);
    return out;
  }
}
