package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.testkit.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dense, hybrid and rescoring pipelines with the bundled bge-small on a bounded SciFact subset, so
 * CI stays within minutes on 2 cores: the first {@value #QUERIES} test queries, every document they
 * judge relevant, and the first {@value #DISTRACTORS} corpus documents as distractors.
 *
 * <p>This subset is NOT comparable to published SciFact numbers (a small corpus makes retrieval
 * much easier); the expectations are this test's own first measurement, deterministic on one
 * machine. The full-corpus figures are in docs/results.md and regressions/.
 */
class ScifactDenseSubsetIT {

  static final int QUERIES = 20;
  static final int DISTRACTORS = 200;

  @TempDir Path tmp;

  /** Writes the subset as a BEIR folder and returns it. */
  private Path subset(Path scifact) throws IOException {
    Path dir = tmp.resolve("scifact-subset");
    Files.createDirectories(dir.resolve("qrels"));
    List<String> qrels = Files.readAllLines(scifact.resolve("qrels/test.tsv"));
    Set<String> queries = new LinkedHashSet<>();
    Set<String> relevant = new LinkedHashSet<>();
    List<String> keptQrels = new ArrayList<>(List.of(qrels.get(0)));
    for (String row : qrels.subList(1, qrels.size())) {
      String[] f = row.split("\t");
      if (queries.size() < QUERIES || queries.contains(f[0])) {
        queries.add(f[0]);
        relevant.add(f[1]);
        keptQrels.add(row);
      }
    }
    Files.write(dir.resolve("qrels/test.tsv"), keptQrels);
    List<String> corpus = new ArrayList<>();
    int line = 0;
    for (String doc : Files.readAllLines(scifact.resolve("corpus.jsonl"))) {
      String id =
          doc.substring(
              doc.indexOf("\"_id\": \"") + 8, doc.indexOf('"', doc.indexOf("\"_id\": \"") + 8));
      if (line++ < DISTRACTORS || relevant.contains(id)) {
        corpus.add(doc);
      }
    }
    Files.write(dir.resolve("corpus.jsonl"), corpus);
    List<String> qs = new ArrayList<>();
    for (String q : Files.readAllLines(scifact.resolve("queries.jsonl"))) {
      String id =
          q.substring(q.indexOf("\"_id\": \"") + 8, q.indexOf('"', q.indexOf("\"_id\": \"") + 8));
      if (queries.contains(id)) {
        qs.add(q);
      }
    }
    Files.write(dir.resolve("queries.jsonl"), qs);
    return dir;
  }

  private static EvalReport eval(
      Path data, Path index, String retriever, Map<String, String> options) {
    EvalRequest r =
        new EvalRequest(
            data,
            "test",
            new PipelineSpec(retriever, options),
            100,
            OptionalInt.empty(),
            Optional.of(index),
            0);
    EvalReport report = EvalRunner.run(r, EvalRunner.Progress.NONE);
    System.out.print(report.toText());
    return report;
  }

  @Test
  void subset_denseHybridAndRescoring_holdTheirRecordedQuality() throws IOException {
    Path data = subset(Shared.scifact());
    Path index = tmp.resolve("index-bge-small");
    EvalReport dense =
        eval(data, index, "dense", Map.of("embedder", "bge-small", "vector-search", "exact"));
    assertThat(dense.indexDocuments())
        .isEqualTo(Files.readAllLines(data.resolve("corpus.jsonl")).size());
    assertThat(dense.evaluation().queries()).isEqualTo(QUERIES);
    EvalReport hnsw = eval(data, index, "dense", Map.of("embedder", "bge-small"));
    EvalReport hybrid =
        eval(data, index, "hybrid", Map.of("embedder", "bge-small", "vector-search", "exact"));
    EvalReport rescored = eval(data, index, "bm25", Map.of("rerank", "bi-encoder:bge-small"));
    EvalReport bm25 = eval(data, index, "bm25", Map.of());

    // HNSW over 219 vectors finds what exact search finds
    assertThat(hnsw.evaluation().mean(Metric.NDCG_10))
        .isCloseTo(dense.evaluation().mean(Metric.NDCG_10), within(1e-9));
    // rescoring only reorders BM25's candidates: the same documents, so the same recall
    assertThat(rescored.evaluation().mean(Metric.RECALL_100))
        .isEqualTo(bm25.evaluation().mean(Metric.RECALL_100));
    double tol = 0.005; // int8 kernels may differ across CPUs in the last bits
    assertThat(dense.evaluation().mean(Metric.NDCG_10)).isCloseTo(EXPECTED_DENSE, within(tol));
    assertThat(hybrid.evaluation().mean(Metric.NDCG_10)).isCloseTo(EXPECTED_HYBRID, within(tol));
    assertThat(rescored.evaluation().mean(Metric.NDCG_10))
        .isCloseTo(EXPECTED_RESCORED, within(tol));
    assertThat(bm25.evaluation().mean(Metric.NDCG_10)).isCloseTo(EXPECTED_BM25, within(1e-4));
  }

  // First measured 2026-11-27 (219 documents: 200 distractors + 19 relevant ones not among them).
  // Hybrid re-measured after bi-encoders got fused kernels and one-length batches (it was 0.9315):
  // int8 dynamic quantisation moves each vector a little with its batch and kernels, and with 20
  // queries one query whose relevant document moves from rank 1 to 2 shifts the mean by 0.018.
  static final double EXPECTED_DENSE = 0.9631;
  static final double EXPECTED_HYBRID = 0.9131;
  static final double EXPECTED_RESCORED = 0.9500;
  static final double EXPECTED_BM25 = 0.8947;
}
