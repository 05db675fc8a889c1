package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.Document;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Retriever;
import dev.winnow.testkit.RetrieverContract;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class Bm25RetrieverTest {

  private WinnowIndex index;
  private Bm25Retriever bm25;

  @BeforeEach
  void setUp() {
    index = WinnowIndex.inMemory();
    index.add(
        List.of(
            Document.of("d1", "Aspirin reduces fever"), // aspirin reduc fever: 3 terms
            Document.of("d2", "fever fever and headache"), // fever fever headach: 3 terms
            Document.of("d3", "Statins lower cholesterol levels"))); // 4 terms
    index.commit();
    bm25 = new Bm25Retriever(index);
  }

  @AfterEach
  void tearDown() {
    index.close();
  }

  /** Lucene 9's BM25 (no (k1 + 1) factor) worked by hand for k1 = 0.9, b = 0.4. */
  private static double bm25(double tf, double docFreq, double docCount, double dl, double avgdl) {
    double idf = Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5));
    return idf * tf / (tf + 0.9 * (1 - 0.4 + 0.4 * dl / avgdl));
  }

  @Test
  void retrieve_scoresMatchTheBm25FormulaByHand() {
    List<Hit> hits = bm25.retrieve(Query.of("fever"), 10);
    double avgdl = 10.0 / 3;
    assertThat(hits).extracting(Hit::id).containsExactly("d2", "d1");
    assertThat(hits.get(0).score()).isCloseTo(bm25(2, 2, 3, 3, avgdl), within(1e-6));
    assertThat(hits.get(1).score()).isCloseTo(bm25(1, 2, 3, 3, avgdl), within(1e-6));
    assertThat(hits).extracting(h -> h.provenance().firstStageRank()).containsExactly(1, 2);
    assertThat(hits.get(0).provenance().retriever()).isEqualTo("bm25");
    assertThat(hits.get(0).provenance().firstStageScore()).isEqualTo(hits.get(0).score());
  }

  @Test
  void retrieve_stemmedAndMultiTermQuery() {
    // "reducing" stems to "reduc"; "levels" to "level"
    List<Hit> hits = bm25.retrieve(Query.of("reducing cholesterol levels"), 10);
    assertThat(hits).extracting(Hit::id).containsExactlyInAnyOrder("d1", "d3");
    assertThat(hits.get(0).id()).isEqualTo("d3");
  }

  @Test
  void retrieve_repeatedQueryTerm_countsTwice() {
    double once = bm25.retrieve(Query.of("aspirin"), 1).get(0).score();
    double twice = bm25.retrieve(Query.of("aspirin aspirin"), 1).get(0).score();
    assertThat(twice).isCloseTo(2 * once, within(1e-6));
  }

  @Test
  void retrieve_onlyStopwordsOrPunctuation_isEmpty() {
    assertThat(bm25.retrieve(Query.of("the and of it"), 10)).isEmpty();
    assertThat(bm25.retrieve(Query.of(""), 10)).isEmpty();
    assertThat(bm25.retrieve(Query.of("?!... --"), 10)).isEmpty();
    assertThat(bm25.retrieve(Query.of("unknownword"), 10)).isEmpty();
  }

  @Test
  void retrieve_queryParserSyntax_isJustText() {
    List<Hit> hits =
        bm25.retrieve(Query.of("fever AND (aspirin OR \"x~ * ? : \\ / [ ] { } ^ ! -+ &&"), 10);
    assertThat(hits).extracting(Hit::id).contains("d1", "d2");
  }

  @Test
  void retrieve_kMustBePositive() {
    assertThatThrownBy(() -> bm25.retrieve(Query.of("fever"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("k must be >= 1, got 0");
    assertThatThrownBy(() -> new Bm25Retriever(index, -1f, 0.4f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k1");
    assertThatThrownBy(() -> new Bm25Retriever(index, 0.9f, 1.5f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("b must be in [0, 1], got 1.5");
  }

  @Test
  void retrieve_contract_sortedUniqueRankedBoundedStable() {
    for (String q : List.of("fever", "aspirin fever cholesterol", "statins")) {
      for (int k : new int[] {1, 2, 5}) {
        List<Hit> hits = bm25.retrieve(Query.of(q), k);
        assertThat(hits.size()).isLessThanOrEqualTo(k);
        assertThat(new HashSet<>(hits.stream().map(Hit::id).toList())).hasSize(hits.size());
        List<Hit> sorted = new ArrayList<>(hits);
        sorted.sort(Hit.ORDER);
        assertThat(hits).isEqualTo(sorted);
        for (int i = 0; i < hits.size(); i++) {
          assertThat(hits.get(i).provenance().firstStageRank()).isEqualTo(i + 1);
          assertThat(Double.isFinite(hits.get(i).score())).isTrue();
        }
        assertThat(bm25.retrieve(Query.of(q), k)).isEqualTo(hits);
      }
    }
  }

  @Test
  void retrieve_hitTextIsTitleAndText() {
    try (WinnowIndex titled = WinnowIndex.inMemory()) {
      titled.add(List.of(new Document("t", "Title words", "body words", java.util.Map.of())));
      titled.commit();
      Hit h = new Bm25Retriever(titled).retrieve(Query.of("title"), 1).get(0);
      assertThat(h.text()).isEqualTo("Title words body words");
    }
  }

  /** The shared retriever contract over a small medical corpus. */
  @Nested
  class Contract extends RetrieverContract {
    @Override
    protected Retriever retriever() {
      return bm25;
    }

    @Override
    protected List<Query> queries() {
      return List.of(Query.of("fever aspirin"), Query.of("cholesterol fever levels"));
    }
  }

  @Test
  void retrieve_tiesBrokenByIdDescending_independentOfInsertionOrder() {
    List<String> ids = new ArrayList<>(List.of("x1", "x2", "x3", "x4"));
    for (int round = 0; round < 3; round++) {
      Collections.rotate(ids, 1);
      try (WinnowIndex tied = WinnowIndex.inMemory()) {
        List<Document> docs = new ArrayList<>();
        for (String id : ids) {
          docs.add(Document.of(id, "same words here"));
        }
        docs.add(Document.of("other", "unrelated text entirely"));
        tied.add(docs);
        tied.commit();
        Bm25Retriever r = new Bm25Retriever(tied);
        assertThat(r.retrieve(Query.of("words"), 2))
            .extracting(Hit::id)
            .containsExactly("x4", "x3");
        assertThat(r.retrieve(Query.of("words"), 10))
            .extracting(Hit::id)
            .containsExactly("x4", "x3", "x2", "x1");
      }
    }
  }

  @Test
  void explain_equalsTheRetrievedScore() {
    for (String q : List.of("fever", "aspirin fever fever headache")) {
      for (Hit h : bm25.retrieve(Query.of(q), 10)) {
        ScoreExplanation e = bm25.explain(Query.of(q), h.id()).orElseThrow();
        assertThat(e.score()).as(q + " " + h.id()).isEqualTo(h.score());
        assertThat(e.details()).contains("idf").contains("tf");
      }
    }
    assertThat(bm25.explain(Query.of("fever"), "d3")).isEmpty();
    assertThat(bm25.explain(Query.of("fever"), "missing")).isEmpty();
  }

  @Test
  void retrieve_emptyIndex_isEmpty() {
    try (WinnowIndex empty = WinnowIndex.inMemory()) {
      assertThat(new Bm25Retriever(empty).retrieve(Query.of("fever"), 5)).isEmpty();
    }
  }

  @Test
  void retrieve_deletedDocumentsAreGone() {
    index.delete("d2");
    index.commit();
    assertThat(bm25.retrieve(Query.of("fever"), 10)).extracting(Hit::id).containsExactly("d1");
  }
}
