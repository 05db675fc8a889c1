package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Activation;
import dev.winnow.api.Hit;
import dev.winnow.api.StageScore;
import dev.winnow.pipeline.RerankFusion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FusionSweepTest {

  @TempDir Path tmp;

  /** BM25 d0..d3 at 10, 8, 6, 2 re-scored by a stage that reverses them (sigmoid of 0..3). */
  private static List<Hit> candidates() {
    String[] ids = {"d0", "d1", "d2", "d3"};
    double[] bm25 = {10, 8, 6, 2};
    List<Hit> out = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      out.add(Hit.firstStage(ids[i], "", i + 1, bm25[i], "bm25"));
    }
    return out;
  }

  private static List<Hit> rescored(List<Hit> candidates) {
    List<Hit> out = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      double logit = i;
      out.add(
          candidates
              .get(i)
              .rescored(
                  new StageScore(
                      "ce",
                      logit,
                      Activation.SIGMOID,
                      Activation.SIGMOID.apply(logit),
                      Optional.empty(),
                      false)));
    }
    out.sort(Hit.ORDER);
    return out;
  }

  @Test
  void refuse_unfusedRun_equalsFusingInThePipeline() {
    List<Hit> c = candidates();
    List<Hit> run = rescored(c);
    for (double w : new double[] {0, 0.3, 0.6, 1}) {
      RerankFusion f = RerankFusion.linear(w);
      assertThat(FusionSweep.refuse(run, f)).isEqualTo(f.fuse(c, run));
    }
    RerankFusion rrf = RerankFusion.parse("rrf");
    assertThat(FusionSweep.refuse(run, rrf)).isEqualTo(rrf.fuse(c, run));
  }

  @Test
  void refuse_fusedRun_atAnotherWeight_equalsFusingAtThatWeight() {
    List<Hit> c = candidates();
    List<Hit> fusedAt06 = RerankFusion.linear(0.6).fuse(c, rescored(c));
    RerankFusion f = RerankFusion.linear(0.2);
    assertThat(FusionSweep.refuse(fusedAt06, f)).isEqualTo(f.fuse(c, rescored(c)));
  }

  @Test
  void sweep_evaluatesEachWeight_endsMeetTheFirstStageAndTheStage() {
    List<Hit> c = candidates();
    // d3 is the only relevant one: BM25 puts it 4th, the stage 1st.
    Qrels qrels = Qrels.of(Map.of("q", Map.of("d3", 1)));
    List<FusionSweep.Point> points =
        FusionSweep.sweep(
            Map.of("q", rescored(c)),
            qrels,
            List.of(RerankFusion.linear(1), RerankFusion.linear(0)),
            List.of(Metric.MRR_10));
    assertThat(points.get(0).evaluation().mean(Metric.MRR_10)).isEqualTo(0.25);
    assertThat(points.get(1).evaluation().mean(Metric.MRR_10)).isEqualTo(1.0);
  }

  @Test
  void refuse_firstStageOnlyRun_isRefused() {
    assertThatThrownBy(() -> FusionSweep.refuse(candidates(), RerankFusion.linear(0.5)))
        .hasMessageContaining("--sweep-fusion needs a pipeline with a rerank stage");
  }

  @Test
  void queryIds_fileOrCommaList_andOnlyQueries() throws IOException {
    Path f = tmp.resolve("ids.txt");
    Files.writeString(f, "# validation\nq3\n\nq1\n");
    assertThat(QueryIds.parse(f.toString())).containsExactly("q3", "q1");
    assertThat(QueryIds.parse("q2, q3")).containsExactly("q2", "q3");
    assertThatThrownBy(() -> QueryIds.parse(tmp.resolve("nope.txt").toString()))
        .hasMessageContaining("query-ids file ")
        .hasMessageContaining("nope.txt does not exist");
    BeirDataset d = BeirDataset.load(TinyBeir.write(tmp.resolve("tiny")), "test");
    BeirDataset only = d.onlyQueries(Set.of("q3", "q1"));
    assertThat(only.queries()).extracting(q -> q.id()).containsExactly("q1", "q3");
    assertThat(only.qrels().queryIds()).containsExactly("q1", "q3");
    assertThatThrownBy(() -> d.onlyQueries(Set.of("q1", "q9")))
        .hasMessageContaining("query-ids: 1 of 2 ids are not judged queries of split 'test'")
        .hasMessageEndingWith(": q9");
  }
}
