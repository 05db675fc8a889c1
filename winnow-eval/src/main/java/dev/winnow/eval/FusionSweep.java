package dev.winnow.eval;

import dev.winnow.api.Hit;
import dev.winnow.api.Provenance;
import dev.winnow.api.StageScore;
import dev.winnow.pipeline.RerankFusion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-fuses the last rerank stage of a finished run with the earlier tier at other settings, without
 * running a model again: every hit's provenance holds the score it brought into the stage and the
 * stage's own score, so {@link RerankFusion#fuse} can be applied afresh per query. This is how a
 * fusion weight is chosen on a training split ({@code winnow eval --sweep-fusion}).
 */
public final class FusionSweep {

  /** One setting's outcome. */
  public record Point(RerankFusion fusion, Evaluation evaluation) {}

  private FusionSweep() {}

  /**
   * Evaluates each of {@code fusions} on {@code run}, whose hits were all scored by one last rerank
   * stage (every candidate the stage read must be in the run: the run's k at least the stage's).
   */
  public static List<Point> sweep(
      Map<String, List<Hit>> run, Qrels qrels, List<RerankFusion> fusions, List<Metric> metrics) {
    List<Point> out = new ArrayList<>();
    for (RerankFusion f : fusions) {
      Map<String, List<String>> rankings = new LinkedHashMap<>();
      run.forEach((q, hits) -> rankings.put(q, refuse(hits, f).stream().map(Hit::id).toList()));
      out.add(new Point(f, Evaluation.of(qrels, rankings, metrics)));
    }
    return out;
  }

  /** One query's hits, their last stage fused with the earlier tier by {@code f}. */
  static List<Hit> refuse(List<Hit> hits, RerankFusion f) {
    List<Hit> earlier = new ArrayList<>(hits.size());
    List<Hit> rescored = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      Provenance p = h.provenance();
      int n = p.stages().size();
      if (n == 0) {
        throw new IllegalArgumentException(
            "--sweep-fusion needs a pipeline with a rerank stage; hit '"
                + h.id()
                + "' was scored by the first stage only");
      }
      StageScore last = p.stages().get(n - 1);
      double before =
          last.fusion()
              .map(x -> x.earlierScore())
              .orElse(n >= 2 ? p.stages().get(n - 2).score() : p.firstStageScore());
      Hit in =
          new Hit(
              h.id(),
              h.text(),
              before,
              new Provenance(
                  p.retriever(),
                  p.firstStageRank(),
                  p.firstStageScore(),
                  p.fusedScore(),
                  p.stages().subList(0, n - 1),
                  p.sources()));
      earlier.add(in);
      rescored.add(
          in.rescored(
              new StageScore(
                  last.stage(),
                  last.raw(),
                  last.activation(),
                  last.stageScore(),
                  last.window(),
                  last.cached())));
    }
    earlier.sort(Hit.ORDER);
    return f.fuse(earlier, rescored);
  }
}
