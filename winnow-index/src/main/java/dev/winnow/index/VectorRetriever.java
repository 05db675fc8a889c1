package dev.winnow.index;

import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Retriever;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.Bits;

/**
 * Dense retrieval over the index's document vectors: the query is encoded with the same {@link
 * Encoder} that produced the document vectors, L2-normalised, and documents are scored by cosine
 * similarity (the dot product of unit vectors, in [-1, 1]).
 *
 * <p>{@link Mode#HNSW} searches Lucene's HNSW graph with a beam of {@code max(k, efSearch)} and
 * then re-scores the candidates exactly, so a document found by both modes has the same score in
 * both; {@link Mode#EXACT} scores every document (brute force): the reference HNSW recall is
 * measured against. Order and tie rule are {@link Bm25Retriever}'s: score descending, ties by id
 * descending, ranks from 1.
 *
 * <p>The index must hold vectors of the encoder's dimension; when it records the encoder's name,
 * the names must match. Thread-safe when the encoder is (as {@link Encoder} requires).
 */
public final class VectorRetriever implements Retriever {

  /** How candidates are found. */
  public enum Mode {
    /** Approximate: Lucene's HNSW graph, then exact re-scoring of what it found. */
    HNSW,
    /** Exact: every vector is scored. */
    EXACT
  }

  /** Default HNSW beam width at query time (Lucene's k for {@link KnnFloatVectorQuery}). */
  public static final int DEFAULT_EF_SEARCH = 100;

  private final WinnowIndex index;
  private final Encoder encoder;
  private final Mode mode;
  private final int efSearch;

  public VectorRetriever(WinnowIndex index, Encoder encoder, Mode mode) {
    this(index, encoder, mode, DEFAULT_EF_SEARCH);
  }

  public VectorRetriever(WinnowIndex index, Encoder encoder, Mode mode, int efSearch) {
    this.index = Objects.requireNonNull(index, "index");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.mode = Objects.requireNonNull(mode, "mode");
    if (efSearch < 1) {
      throw new IllegalArgumentException("efSearch must be >= 1, got " + efSearch);
    }
    this.efSearch = efSearch;
  }

  /** {@code dense:<encoder name>}. */
  @Override
  public String name() {
    return "dense:" + encoder.name();
  }

  public Mode mode() {
    return mode;
  }

  @Override
  public List<Hit> retrieve(Query query, int k) {
    Objects.requireNonNull(query, "query");
    checkK(k);
    float[][] encoded = encoder.encodeQueries(List.of(query.text()));
    if (encoded.length != 1) {
      throw new IllegalStateException(
          "encoder " + encoder.name() + " returned " + encoded.length + " vectors for 1 query");
    }
    return search(encoded[0], k);
  }

  /** Searches with an already encoded query vector (normalised here). */
  public List<Hit> search(float[] queryVector, int k) {
    Objects.requireNonNull(queryVector, "queryVector");
    checkK(k);
    IndexInfo info = index.info();
    if (index.size() == 0) {
      return List.of();
    }
    if (info.vectorDimension().isEmpty()) {
      throw new IllegalStateException(
          index.where() + " holds no vectors; ingest it with an encoder for dense retrieval");
    }
    int dim = info.vectorDimension().getAsInt();
    if (queryVector.length != dim) {
      throw new IllegalArgumentException(
          "query vector must have the index's dimension " + dim + ", got " + queryVector.length);
    }
    if (info.vectorModel().isPresent() && !info.vectorModel().get().equals(encoder.name())) {
      throw new IllegalArgumentException(
          index.where()
              + " holds vectors from '"
              + info.vectorModel().get()
              + "', not from the query encoder '"
              + encoder.name()
              + "'");
    }
    float[] q = Vectors.normalise(queryVector, "query vector");
    return index.withSearcher(
        s -> {
          List<Bm25Retriever.Candidate> found = mode == Mode.HNSW ? hnsw(s, q, k) : exact(s, q, k);
          found.sort(Bm25Retriever.TREC_ORDER);
          int n = Math.min(k, found.size());
          List<Hit> hits = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            Bm25Retriever.Candidate c = found.get(i);
            hits.add(Hit.firstStage(c.id(), c.text(), i + 1, c.score(), name()));
          }
          return List.copyOf(hits);
        });
  }

  private List<Bm25Retriever.Candidate> hnsw(IndexSearcher s, float[] q, int k) throws IOException {
    int beam = Math.max(k, efSearch);
    ScoreDoc[] sd = s.search(new KnnFloatVectorQuery(WinnowIndex.VECTOR, q, beam), beam).scoreDocs;
    int[] docs = new int[sd.length];
    for (int i = 0; i < sd.length; i++) {
      docs[i] = sd[i].doc;
    }
    Arrays.sort(docs);
    double[] scores = new double[docs.length];
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    int leafIndex = -1;
    FloatVectorValues values = null;
    int base = 0;
    for (int i = 0; i < docs.length; i++) {
      int li = ReaderUtil.subIndex(docs[i], leaves);
      if (li != leafIndex) {
        leafIndex = li;
        LeafReaderContext leaf = leaves.get(li);
        values = leaf.reader().getFloatVectorValues(WinnowIndex.VECTOR);
        base = leaf.docBase;
      }
      if (values == null || values.advance(docs[i] - base) != docs[i] - base) {
        throw new IllegalStateException("document " + docs[i] + " matched but has no vector");
      }
      scores[i] = Vectors.dot(q, values.vectorValue());
    }
    return new ArrayList<>(DocumentValues.candidates(s.getIndexReader(), docs, scores));
  }

  private static List<Bm25Retriever.Candidate> exact(IndexSearcher s, float[] q, int k)
      throws IOException {
    int maxDoc = s.getIndexReader().maxDoc();
    double[] all = new double[maxDoc];
    Arrays.fill(all, Double.NaN);
    // A min-heap of the k best scores gives the threshold; every document at or above it is a
    // candidate, so ties at the k-th place are all kept and resolved by id afterwards.
    PriorityQueue<Double> best = new PriorityQueue<>(k + 1, Comparator.naturalOrder());
    for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
      FloatVectorValues values = leaf.reader().getFloatVectorValues(WinnowIndex.VECTOR);
      if (values == null) {
        continue;
      }
      Bits live = leaf.reader().getLiveDocs();
      for (int d = values.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = values.nextDoc()) {
        if (live != null && !live.get(d)) {
          continue;
        }
        double score = Vectors.dot(q, values.vectorValue());
        all[leaf.docBase + d] = score;
        if (best.size() < k) {
          best.add(score);
        } else if (score > best.peek()) {
          best.poll();
          best.add(score);
        }
      }
    }
    if (best.isEmpty()) {
      return new ArrayList<>();
    }
    double threshold = best.peek();
    int count = 0;
    for (double v : all) {
      if (v >= threshold) {
        count++;
      }
    }
    int[] docs = new int[count];
    double[] scores = new double[count];
    int j = 0;
    for (int d = 0; d < maxDoc; d++) {
      if (all[d] >= threshold) {
        docs[j] = d;
        scores[j++] = all[d];
      }
    }
    return new ArrayList<>(DocumentValues.candidates(s.getIndexReader(), docs, scores));
  }

  private static void checkK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
  }
}
