package dev.winnow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * First-stage candidates for the realistic workload: a small in-memory Lucene BM25 over SciFact
 * (title and text in one field, {@code EnglishAnalyzer}, {@code BM25Similarity(0.9, 0.4)}, as
 * Anserini's "flat" BEIR runs), kept inside winnow-bench so the reranking benchmark does not wait
 * for winnow-index. It also times itself: indexing docs/s and per-query latency.
 */
public final class Bm25Candidates {

  /** One query's candidates, best first. */
  public record Candidates(String queryId, String query, List<String> docIds) {}

  /** Indexing throughput and query latency of this first stage, measured while it ran. */
  public record Timing(int docs, double indexDocsPerSecond, double p50Ms, double p99Ms) {}

  private final List<Candidates> candidates;
  private final Timing timing;

  private Bm25Candidates(List<Candidates> candidates, Timing timing) {
    this.candidates = candidates;
    this.timing = timing;
  }

  public List<Candidates> candidates() {
    return candidates;
  }

  public Timing timing() {
    return timing;
  }

  /** Indexes the corpus and retrieves the top {@code k} for every test query. */
  public static Bm25Candidates compute(SciFact data, int k) {
    BM25Similarity sim = new BM25Similarity(0.9f, 0.4f);
    try (Analyzer analyzer = new EnglishAnalyzer();
        ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
      long t0 = System.nanoTime();
      IndexWriterConfig cfg = new IndexWriterConfig(analyzer).setSimilarity(sim);
      try (IndexWriter w = new IndexWriter(dir, cfg)) {
        for (SciFact.Doc d : data.corpus().values()) {
          Document doc = new Document();
          doc.add(new StoredField("id", d.id()));
          doc.add(new TextField("body", d.title() + "\n" + d.text(), Field.Store.NO));
          w.addDocument(doc);
        }
        w.forceMerge(1);
      }
      double indexSeconds = (System.nanoTime() - t0) / 1e9;
      List<Candidates> out = new ArrayList<>();
      long[] lat = new long[data.testIds().size()];
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        searcher.setSimilarity(sim);
        // Two untimed passes warm the JIT, then one timed pass gives the latencies.
        for (int pass = 0; pass < 3; pass++) {
          out.clear();
          for (String qid : data.testIds()) {
            long q0 = System.nanoTime();
            String text = data.queries().get(qid);
            ScoreDoc[] hits = searcher.search(query(analyzer, text), k).scoreDocs;
            List<String> ids = new ArrayList<>(hits.length);
            for (ScoreDoc h : hits) {
              ids.add(searcher.storedFields().document(h.doc).get("id"));
            }
            out.add(new Candidates(qid, text, List.copyOf(ids)));
            lat[out.size() - 1] = System.nanoTime() - q0;
          }
        }
      }
      Arrays.sort(lat);
      Timing timing =
          new Timing(
              data.corpus().size(),
              data.corpus().size() / indexSeconds,
              Stats.percentile(lat, 50) / 1e6,
              Stats.percentile(lat, 99) / 1e6);
      return new Bm25Candidates(List.copyOf(out), timing);
    } catch (IOException e) {
      throw new UncheckedIOException("BM25 over SciFact failed", e);
    }
  }

  private static BooleanQuery query(Analyzer analyzer, String text) throws IOException {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    try (TokenStream ts = analyzer.tokenStream("body", text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        b.add(new TermQuery(new Term("body", term.toString())), BooleanClause.Occur.SHOULD);
      }
      ts.end();
    }
    return b.build();
  }

  /** Writes one JSON line per query: {@code {"query_id":..,"query":..,"doc_ids":[..]}}. */
  public void write(Path file) {
    ObjectMapper json = new ObjectMapper();
    try {
      Files.createDirectories(file.getParent());
      try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (Candidates c : candidates) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("query_id", c.queryId());
          row.put("query", c.query());
          row.put("doc_ids", c.docIds());
          w.write(json.writeValueAsString(row));
          w.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
