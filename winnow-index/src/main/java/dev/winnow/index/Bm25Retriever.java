package dev.winnow.index;

import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Retriever;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;

/**
 * BM25 over the flat title + text field, as Anserini's BEIR "flat" regressions do it: Lucene {@link
 * BM25Similarity} (k1 0.9, b 0.4 by default) and a bag-of-words query.
 *
 * <p><b>Queries.</b> The query text goes through the index's analysis (no query syntax, so no user
 * text can cause a parse error); each distinct term becomes a SHOULD {@link TermQuery}, boosted by
 * its count when it repeats (what Lucene's rewrite of repeated SHOULD clauses, Anserini's
 * bag-of-words generator, amounts to). A query with no terms left (empty, punctuation, only stop
 * words) gives an empty result. More distinct terms than Lucene's clause limit (1024) is an {@link
 * IllegalArgumentException}.
 *
 * <p><b>Order.</b> Hits come by score descending; exact score ties are broken by id
 * <em>descending</em>, the order {@code trec_eval} imposes on tied scores, so a run file evaluated
 * by trec_eval sees exactly the ranking Winnow evaluated (and Anserini's published numbers, which
 * trec_eval computed, are reproduced tie for tie). Ties straddling the k-th place are resolved over
 * all tied documents, not by Lucene's internal document order, so results never depend on insertion
 * order. Ranks are 1-based and the list is in {@link Hit#ORDER}.
 *
 * <p>Thread-safe: it holds no mutable state and searches the index's last commit.
 */
public final class Bm25Retriever implements Retriever {

  /** The retriever name recorded in provenance. */
  public static final String NAME = "bm25";

  /**
   * Highest score first; among equal scores the larger id first (by code point, as trec_eval's
   * {@code strcmp} on UTF-8 sorts).
   */
  static final Comparator<Candidate> TREC_ORDER =
      Comparator.comparingDouble(Candidate::score)
          .reversed()
          .thenComparing(Candidate::id, (x, y) -> compareCodePoints(y, x));

  private final WinnowIndex index;
  private final BM25Similarity similarity;

  /** BM25 with Anserini's BEIR parameters, k1 = 0.9 and b = 0.4. */
  public Bm25Retriever(WinnowIndex index) {
    this(index, WinnowIndex.DEFAULT_K1, WinnowIndex.DEFAULT_B);
  }

  public Bm25Retriever(WinnowIndex index, float k1, float b) {
    this.index = Objects.requireNonNull(index, "index");
    if (!Float.isFinite(k1) || k1 < 0) {
      throw new IllegalArgumentException("k1 must be finite and >= 0, got " + k1);
    }
    if (!(b >= 0 && b <= 1)) {
      throw new IllegalArgumentException("b must be in [0, 1], got " + b);
    }
    this.similarity = new BM25Similarity(k1, b);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Hit> retrieve(Query query, int k) {
    Objects.requireNonNull(query, "query");
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    Optional<org.apache.lucene.search.Query> q = toLucene(query.text());
    if (q.isEmpty()) {
      return List.of();
    }
    return index.withSearcher(
        shared -> {
          IndexSearcher searcher = searcher(shared);
          int maxDoc = searcher.getIndexReader().maxDoc();
          if (maxDoc == 0) {
            return List.of();
          }
          ScoreDoc[] top = topWithBoundaryTies(searcher, q.get(), k, maxDoc);
          int[] docs = new int[top.length];
          double[] scores = new double[top.length];
          for (int i = 0; i < top.length; i++) {
            docs[i] = top[i].doc;
            scores[i] = top[i].score;
          }
          List<Candidate> candidates =
              new ArrayList<>(DocumentValues.candidates(searcher.getIndexReader(), docs, scores));
          candidates.sort(TREC_ORDER);
          int n = Math.min(k, candidates.size());
          List<Hit> hits = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            hits.add(Hit.firstStage(c.id(), c.text(), i + 1, c.score(), NAME));
          }
          return List.copyOf(hits);
        });
  }

  /**
   * Lucene's explanation of the score this retriever gives document {@code id} for {@code query};
   * empty when the document does not exist or does not match.
   */
  public Optional<ScoreExplanation> explain(Query query, String id) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(id, "id");
    Optional<org.apache.lucene.search.Query> q = toLucene(query.text());
    if (q.isEmpty()) {
      return Optional.empty();
    }
    return index.withSearcher(
        shared -> {
          IndexSearcher searcher = searcher(shared);
          TopDocs byId = searcher.search(new TermQuery(new Term(WinnowIndex.ID, id)), 1);
          if (byId.scoreDocs.length == 0) {
            return Optional.empty();
          }
          Explanation e = searcher.explain(q.get(), byId.scoreDocs[0].doc);
          if (!e.isMatch()) {
            return Optional.empty();
          }
          return Optional.of(new ScoreExplanation(id, e.getValue().floatValue(), e.toString()));
        });
  }

  /** The bag-of-words query for {@code text}; empty when analysis leaves no term. */
  Optional<org.apache.lucene.search.Query> toLucene(String text) {
    List<String> terms = IndexAnalysis.terms(index.analyzer(), WinnowIndex.CONTENTS, text);
    if (terms.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String t : terms) {
      counts.merge(t, 1, Integer::sum);
    }
    int limit = IndexSearcher.getMaxClauseCount();
    if (counts.size() > limit) {
      throw new IllegalArgumentException(
          "query has " + counts.size() + " distinct terms after analysis; at most " + limit);
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      org.apache.lucene.search.Query tq = new TermQuery(new Term(WinnowIndex.CONTENTS, e.getKey()));
      b.add(e.getValue() == 1 ? tq : new BoostQuery(tq, e.getValue()), BooleanClause.Occur.SHOULD);
    }
    return Optional.of(b.build());
  }

  private IndexSearcher searcher(IndexSearcher shared) {
    IndexSearcher s = new IndexSearcher(shared.getIndexReader());
    s.setSimilarity(similarity);
    return s;
  }

  /**
   * The top k documents plus every document tied with the k-th: Lucene keeps the lower internal doc
   * id on ties, so the search is widened until the boundary score is passed.
   */
  private static ScoreDoc[] topWithBoundaryTies(
      IndexSearcher searcher, org.apache.lucene.search.Query q, int k, int maxDoc)
      throws IOException {
    int n = (int) Math.min((long) k + 1, maxDoc);
    while (true) {
      ScoreDoc[] sd = searcher.search(q, n).scoreDocs;
      boolean full = sd.length == n;
      if (!full || n >= maxDoc || sd.length <= k || sd[n - 1].score != sd[k - 1].score) {
        return sd;
      }
      n = (int) Math.min(2L * n, maxDoc);
    }
  }

  /** Compares by Unicode code point, the order of {@code strcmp} on UTF-8 bytes. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /** A scored document before ranks are assigned. */
  record Candidate(String id, String text, double score) {}
}
