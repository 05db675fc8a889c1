package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Activation;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.api.StageScore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PipelineTest {

  /** Scores a hit by the number in its id ("d7" → 7), so the order is easy to check. */
  static final class ById implements Reranker {
    final List<Integer> seen = new ArrayList<>();

    @Override
    public List<Hit> rerank(Query query, List<Hit> candidates, int topN) {
      seen.add(candidates.size());
      List<Hit> out = new ArrayList<>();
      for (Hit h : candidates) {
        double s = Integer.parseInt(h.id().substring(1));
        out.add(h.rescored(new StageScore(name(), s, Activation.RAW, s, Optional.empty(), false)));
      }
      out.sort(Hit.ORDER);
      return out.subList(0, Math.min(topN, out.size()));
    }

    @Override
    public String name() {
      return "by-id";
    }
  }

  private static FakeRetriever first() {
    String[] ids = new String[10];
    double[] scores = new double[10];
    for (int i = 0; i < 10; i++) {
      ids[i] = "d" + i;
      scores[i] = 10 - i;
    }
    return new FakeRetriever("bm25", FakeRetriever.hits("bm25", ids, scores));
  }

  @Test
  void search_noStages_returnsTheFirstStageTopN() {
    Pipeline.Result r = new Pipeline(first(), 5, List.of(), 3).search(Query.of("x"));
    assertThat(r.hits()).extracting(Hit::id).containsExactly("d0", "d1", "d2");
    assertThat(r.timings()).extracting(Pipeline.StageTiming::stage).containsExactly("bm25");
  }

  @Test
  void search_eachStageReadsItsKOfThePreviousList() {
    ById one = new ById();
    ById two = new ById();
    Pipeline p =
        new Pipeline(
            first(), 8, List.of(new Pipeline.Stage(one, 6), new Pipeline.Stage(two, 3)), 2);
    Pipeline.Result r = p.search(Query.of("x"));
    assertThat(one.seen).containsExactly(6);
    assertThat(two.seen).containsExactly(3);
    // stage one keeps d5..d0 reordered by id desc: d5 d4 d3 d2 d1 d0; stage two reads d5 d4 d3
    assertThat(r.hits()).extracting(Hit::id).containsExactly("d5", "d4");
    Hit top = r.hits().get(0);
    assertThat(top.provenance().firstStageRank()).isEqualTo(6);
    assertThat(top.provenance().firstStageScore()).isEqualTo(5.0);
    assertThat(top.provenance().stages()).hasSize(2);
    assertThat(r.timings())
        .extracting(Pipeline.StageTiming::stage)
        .containsExactly("bm25", "by-id", "by-id");
  }

  @Test
  void constructor_badCounts_nameTheFieldAndValue() {
    assertThatThrownBy(() -> new Pipeline(first(), 0, List.of(), 3))
        .hasMessage("k must be >= 1, got 0");
    assertThatThrownBy(() -> new Pipeline(first(), 5, List.of(), -2))
        .hasMessage("top-n must be >= 1, got -2");
    assertThatThrownBy(() -> new Pipeline.Stage(new ById(), 0))
        .hasMessage("k of stage 'by-id' must be >= 1, got 0");
  }

  @Test
  void hybrid_asksEachRetrieverForItsDepthAndFuses() {
    FakeRetriever a =
        new FakeRetriever(
            "bm25",
            FakeRetriever.hits("bm25", new String[] {"x", "y", "z"}, new double[] {3, 2, 1}));
    FakeRetriever b =
        new FakeRetriever(
            "dense", FakeRetriever.hits("dense", new String[] {"z", "w"}, new double[] {0.9, 0.5}));
    HybridRetriever h = new HybridRetriever(List.of(a, b), new ReciprocalRankFusion(), 3);
    List<Hit> hits = h.retrieve(Query.of("q"), 2);
    // depth 3: z = 1/63 + 1/61 beats x = 1/61
    assertThat(hits).extracting(Hit::id).containsExactly("z", "x");
    assertThat(h.name()).isEqualTo("hybrid:rrf(k=60)[bm25+dense]");
    assertThatThrownBy(() -> new HybridRetriever(List.of(a), new ReciprocalRankFusion()))
        .hasMessageContaining("at least 2 retrievers, got 1");
  }
}
