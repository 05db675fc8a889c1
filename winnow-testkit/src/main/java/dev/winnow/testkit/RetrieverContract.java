package dev.winnow.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Retriever;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Retriever} must do: finite scores, output in {@link Hit#ORDER} with first-stage
 * ranks 1, 2, ... and the score recorded in the provenance under the retriever's name, unique ids,
 * at most {@code k} hits, the same answer twice, a smaller {@code k} giving a prefix of a larger
 * one, and {@code k < 1} rejected. Extend it, supply the retriever over a small corpus and queries
 * that match several of its documents.
 */
public abstract class RetrieverContract {

  /** The retriever under test, over a corpus of at least five documents. */
  protected abstract Retriever retriever();

  /** Queries that each match at least two documents. */
  protected abstract List<Query> queries();

  @Test
  void retrieve_findsSomethingForEveryQuery() {
    for (Query q : queries()) {
      assertThat(retriever().retrieve(q, 10)).as(q.text()).hasSizeGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void retrieve_scoresAreFiniteAndRecordedInTheProvenance() {
    for (Query q : queries()) {
      for (Hit h : retriever().retrieve(q, 10)) {
        assertThat(Double.isFinite(h.score())).as("score of %s", h.id()).isTrue();
        assertThat(h.provenance().firstStageScore()).isEqualTo(h.score());
        assertThat(h.provenance().retriever()).isEqualTo(retriever().name());
        assertThat(h.provenance().stages()).isEmpty();
      }
    }
  }

  @Test
  void retrieve_isInHitOrderWithRanksFromOne() {
    for (Query q : queries()) {
      List<Hit> hits = retriever().retrieve(q, 10);
      assertThat(hits).isSortedAccordingTo(Hit.ORDER);
      for (int i = 0; i < hits.size(); i++) {
        assertThat(hits.get(i).provenance().firstStageRank()).isEqualTo(i + 1);
      }
    }
  }

  @Test
  void retrieve_idsAreUniqueAndAtMostK() {
    for (Query q : queries()) {
      for (int k : new int[] {1, 2, 3, 10}) {
        List<Hit> hits = retriever().retrieve(q, k);
        assertThat(hits.size()).isLessThanOrEqualTo(k);
        assertThat(hits).extracting(Hit::id).doesNotHaveDuplicates();
      }
    }
  }

  @Test
  void retrieve_sameAnswerTwice() {
    for (Query q : queries()) {
      assertThat(retriever().retrieve(q, 10)).isEqualTo(retriever().retrieve(q, 10));
    }
  }

  @Test
  void retrieve_smallerKIsAPrefix() {
    for (Query q : queries()) {
      List<Hit> ten = retriever().retrieve(q, 10);
      for (int k = 1; k <= ten.size(); k++) {
        assertThat(retriever().retrieve(q, k)).isEqualTo(ten.subList(0, k));
      }
    }
  }

  @Test
  void retrieve_kBelowOneIsRejected() {
    Query q = queries().get(0);
    assertThatThrownBy(() -> retriever().retrieve(q, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k must be >= 1, got 0");
  }
}
