package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.Document;
import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Retriever;
import dev.winnow.testkit.RetrieverContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class VectorRetrieverTest {

  /** Encodes a text as the letter counts of a-h: deterministic, no model needed. */
  static final class LetterEncoder implements Encoder {
    private final String name;

    LetterEncoder(String name) {
      this.name = name;
    }

    private static float[] encode(String s) {
      float[] v = new float[8];
      for (char c : s.toCharArray()) {
        if (c >= 'a' && c <= 'h') {
          v[c - 'a']++;
        }
      }
      v[7] += 0.5f; // never the zero vector
      return v;
    }

    @Override
    public float[][] encodeQueries(List<String> queries) {
      return queries.stream().map(LetterEncoder::encode).toArray(float[][]::new);
    }

    @Override
    public float[][] encodeDocuments(List<String> documents) {
      return encodeQueries(documents);
    }

    @Override
    public int dimension() {
      return 8;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void close() {}
  }

  @Test
  void exactAndHnsw_agreeOnScoresEqualToCosine() {
    Random random = new Random(42);
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < 20; j++) {
        sb.append((char) ('a' + random.nextInt(8)));
      }
      docs.add(Document.of("doc" + i, sb.toString()));
    }
    LetterEncoder enc = new LetterEncoder("letters");
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.ingest(docs.iterator(), Optional.of(enc), 64, n -> {});
      VectorRetriever exact = new VectorRetriever(index, enc, VectorRetriever.Mode.EXACT);
      VectorRetriever hnsw = new VectorRetriever(index, enc, VectorRetriever.Mode.HNSW);
      String q = "abcabc";
      List<Hit> e = exact.retrieve(Query.of(q), 10);
      List<Hit> h = hnsw.retrieve(Query.of(q), 10);
      assertThat(e).hasSize(10);
      float[] qv = LetterEncoder.encode(q);
      for (Hit hit : e) {
        float[] dv = LetterEncoder.encode(index.get(hit.id()).orElseThrow().text());
        assertThat(hit.score()).isCloseTo(cosine(qv, dv), within(1e-6));
        assertThat(hit.provenance().retriever()).isEqualTo("dense:letters");
      }
      // Every hit HNSW finds carries exactly the exact score; on 300 docs it finds all of them.
      assertThat(h).isEqualTo(e);
      // brute force really is the best: no document scores above the 10th outside the list
      double tenth = e.get(9).score();
      long better =
          docs.stream()
              .filter(d -> e.stream().noneMatch(x -> x.id().equals(d.id())))
              .filter(d -> cosine(qv, LetterEncoder.encode(d.text())) > tenth + 1e-9)
              .count();
      assertThat(better).isZero();
    }
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  /** The shared retriever contract, for each search mode, over 40 random letter strings. */
  abstract static class VectorContract extends RetrieverContract {
    private static WinnowIndex index;

    @BeforeAll
    static void build() {
      Random random = new Random(7);
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < 12; j++) {
          sb.append((char) ('a' + random.nextInt(8)));
        }
        docs.add(Document.of("v" + i, sb.toString()));
      }
      index = WinnowIndex.inMemory();
      index.ingest(docs.iterator(), Optional.of(new LetterEncoder("letters")), 16, n -> {});
    }

    @AfterAll
    static void close() {
      index.close();
    }

    abstract VectorRetriever.Mode mode();

    @Override
    protected Retriever retriever() {
      return new VectorRetriever(index, new LetterEncoder("letters"), mode());
    }

    @Override
    protected List<Query> queries() {
      return List.of(Query.of("aabbcc"), Query.of("hhhggg"));
    }
  }

  @Nested
  class ExactContract extends VectorContract {
    @Override
    VectorRetriever.Mode mode() {
      return VectorRetriever.Mode.EXACT;
    }
  }

  @Nested
  class HnswContract extends VectorContract {
    @Override
    VectorRetriever.Mode mode() {
      return VectorRetriever.Mode.HNSW;
    }
  }

  @Test
  void search_checksTheIndexAndTheQuery() {
    LetterEncoder enc = new LetterEncoder("letters");
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      VectorRetriever r = new VectorRetriever(index, enc, VectorRetriever.Mode.EXACT);
      assertThat(r.retrieve(Query.of("abc"), 5)).isEmpty();
      index.add(List.of(Document.of("x", "abc")));
      index.commit();
      assertThatThrownBy(() -> r.retrieve(Query.of("abc"), 5))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no vectors");
    }
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.ingest(List.of(Document.of("x", "abc")).iterator(), Optional.of(enc), 8, n -> {});
      VectorRetriever other =
          new VectorRetriever(index, new LetterEncoder("other"), VectorRetriever.Mode.HNSW);
      assertThatThrownBy(() -> other.retrieve(Query.of("abc"), 5))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'letters'");
      VectorRetriever r = new VectorRetriever(index, enc, VectorRetriever.Mode.HNSW);
      assertThatThrownBy(() -> r.search(new float[3], 5))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dimension 8");
      assertThatThrownBy(() -> r.search(new float[8], 5))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("norm 0");
      assertThatThrownBy(() -> r.retrieve(Query.of("a"), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("k must be >= 1, got 0");
      assertThat(r.retrieve(Query.of("a"), 5)).extracting(Hit::id).containsExactly("x");
    }
  }

  @Test
  void exact_skipsDeletedDocuments() {
    LetterEncoder enc = new LetterEncoder("letters");
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.ingest(
          List.of(Document.of("x", "aaa"), Document.of("y", "aab")).iterator(),
          Optional.of(enc),
          8,
          n -> {});
      index.delete("x");
      index.commit();
      for (VectorRetriever.Mode m : VectorRetriever.Mode.values()) {
        assertThat(new VectorRetriever(index, enc, m).retrieve(Query.of("aaa"), 5))
            .extracting(Hit::id)
            .containsExactly("y");
      }
    }
  }
}
