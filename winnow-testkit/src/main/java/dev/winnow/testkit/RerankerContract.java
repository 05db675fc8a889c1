package dev.winnow.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Reranker} must do, whatever its model: finite scores, output in {@link
 * Hit#ORDER}, unique ids drawn from the input, at most {@code topN} hits, empty in → empty out, the
 * same answer twice, one more provenance stage per hit, and a hit's score independent of which
 * other candidates share its call. Extend it and supply the reranker (and, for a real model,
 * candidates it can read and the batch tolerance the model allows).
 */
public abstract class RerankerContract {

  /** The reranker under test; may be built once and shared. */
  protected abstract Reranker reranker();

  protected Query query() {
    return new Query("q1", "how do cross encoders rerank search results");
  }

  /** At least four candidates with distinct ids, first-stage ranks 1.. in order. */
  protected List<Hit> candidates() {
    String[] texts = {
      "Cross encoders read the query and the document together and rerank search results.",
      "A recipe for sourdough bread with a long cold fermentation.",
      "Search results are first retrieved with BM25, then reranked by a cross encoder.",
      "The migration of arctic terns spans both poles every year.",
      "Bi-encoders embed queries and documents separately into vectors.",
      "Reranking trades latency for precision on the top candidates."
    };
    List<Hit> hits = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      hits.add(Hit.firstStage("d" + (i + 1), texts[i], i + 1, 10.0 - i, "fixture"));
    }
    return hits;
  }

  /** How far a score may move when the candidate is scored alone rather than in a batch. */
  protected double batchTolerance() {
    return 0.0;
  }

  @Test
  void rerank_scoresAreFinite() {
    for (Hit h : reranker().rerank(query(), candidates(), candidates().size())) {
      assertThat(Double.isFinite(h.score())).as("score of %s is %s", h.id(), h.score()).isTrue();
    }
  }

  @Test
  void rerank_outputIsInHitOrder() {
    List<Hit> out = reranker().rerank(query(), candidates(), candidates().size());
    assertThat(out).isSortedAccordingTo(Hit.ORDER);
  }

  @Test
  void rerank_idsAreUniqueAndFromTheInput() {
    List<Hit> in = candidates();
    List<Hit> out = reranker().rerank(query(), in, in.size());
    Set<String> inputIds = new HashSet<>();
    in.forEach(h -> inputIds.add(h.id()));
    assertThat(out).extracting(Hit::id).doesNotHaveDuplicates();
    assertThat(out).extracting(Hit::id).allMatch(inputIds::contains);
    assertThat(out).hasSize(in.size());
  }

  @Test
  void rerank_sizeIsAtMostTopN() {
    assertThat(reranker().rerank(query(), candidates(), 2)).hasSize(2);
    assertThat(reranker().rerank(query(), candidates().subList(0, 1), 5)).hasSize(1);
  }

  @Test
  void rerank_emptyInput_givesEmptyOutput() {
    assertThat(reranker().rerank(query(), List.of(), 10)).isEmpty();
  }

  @Test
  void rerank_topNBelowOne_isRejected() {
    assertThatThrownBy(() -> reranker().rerank(query(), candidates(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topN");
  }

  @Test
  void rerank_sameAnswerTwice() {
    List<Hit> a = reranker().rerank(query(), candidates(), candidates().size());
    List<Hit> b = reranker().rerank(query(), candidates(), candidates().size());
    assertThat(b).extracting(Hit::id).containsExactlyElementsOf(a.stream().map(Hit::id).toList());
    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i).score()).isCloseTo(a.get(i).score(), within(batchTolerance()));
    }
  }

  @Test
  void rerank_appendsOneStageAndKeepsTheFirstStage() {
    List<Hit> in = candidates();
    Map<String, Hit> byId = new HashMap<>();
    in.forEach(h -> byId.put(h.id(), h));
    for (Hit h : reranker().rerank(query(), in, in.size())) {
      Hit before = byId.get(h.id());
      assertThat(h.provenance().stages()).hasSize(before.provenance().stages().size() + 1);
      assertThat(h.provenance().firstStageRank()).isEqualTo(before.provenance().firstStageRank());
      assertThat(h.provenance().stages().get(h.provenance().stages().size() - 1).score())
          .isEqualTo(h.score());
      assertThat(h.text()).isEqualTo(before.text());
    }
  }

  @Test
  void rerank_batchCompositionDoesNotChangeAScore() {
    List<Hit> in = candidates();
    Map<String, Double> together = new HashMap<>();
    for (Hit h : reranker().rerank(query(), in, in.size())) {
      together.put(h.id(), h.score());
    }
    for (Hit h : in) {
      double alone = reranker().rerank(query(), List.of(h), 1).get(0).score();
      assertThat(alone)
          .as("score of %s alone", h.id())
          .isCloseTo(together.get(h.id()), within(batchTolerance()));
    }
    List<Hit> reversed = new ArrayList<>(in);
    java.util.Collections.reverse(reversed);
    for (Hit h : reranker().rerank(query(), reversed, reversed.size())) {
      assertThat(h.score())
          .as("score of %s in reversed order", h.id())
          .isCloseTo(together.get(h.id()), within(batchTolerance()));
    }
  }
}
