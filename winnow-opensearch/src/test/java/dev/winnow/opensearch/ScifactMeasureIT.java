package dev.winnow.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.api.Document;
import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.api.Retriever;
import dev.winnow.index.Bm25Retriever;
import dev.winnow.index.CorpusReader;
import dev.winnow.index.VectorRetriever;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.BundledEncoders;
import dev.winnow.pipeline.BiEncoderReranker;
import dev.winnow.pipeline.DocumentVectors;
import dev.winnow.pipeline.HybridRetriever;
import dev.winnow.pipeline.ReciprocalRankFusion;
import dev.winnow.testkit.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The measurement behind docs/results.md's OpenSearch section (opt-in: {@code
 * -Dwinnow.measure=true}, minutes of embedding on a small machine): SciFact's 300 test queries on
 * the embedded index and on the cluster, for BM25, dense, BM25 top 100 re-scored by the bi-encoder,
 * and RRF hybrid; nDCG@10 of each side, their difference (bounded), ingestion throughput with
 * embedding and search latency. Both sides get the same vectors (computed once).
 */
class ScifactMeasureIT {

  private static final int DEPTH = 100;

  @Test
  void scifact_openSearchMatchesTheEmbeddedPipelines() throws IOException {
    Assumptions.assumeTrue(
        Boolean.getBoolean("winnow.measure"), "a measurement: run with -Dwinnow.measure=true");
    String urls = TestCluster.urls();
    Path scifact = Shared.scifact();
    List<Query> queries = ScifactParityIT.testQueries(scifact);
    Map<String, Map<String, Integer>> qrels = qrels(scifact.resolve("qrels/test.tsv"));
    List<Document> corpus = new ArrayList<>();
    try (CorpusReader r = CorpusReader.open(scifact.resolve("corpus.jsonl"))) {
      r.forEachRemaining(corpus::add);
    }
    StringBuilder md = new StringBuilder();
    // -Dwinnow.measure.encoder=bge-small|minilm (default minilm: a quarter of bge-small's cost).
    String which = System.getProperty("winnow.measure.encoder", "minilm");
    try (Encoder model =
            which.equals("bge-small") ? BundledEncoders.bgeSmall() : BundledEncoders.miniLm();
        CachingEncoder enc = new CachingEncoder(model);
        OpenSearchBackend os =
            OpenSearchBackend.connect(
                OpenSearchConfig.of(urls, TestCluster.freshIndex("measure-scifact"))
                    .withBatchSize(64));
        WinnowIndex embedded = WinnowIndex.inMemory()) {
      try {
        IngestReport ingest = os.ingest(corpus, Optional.of(enc));
        assertThat(ingest.failures()).isEmpty();
        embedded.ingest(corpus.iterator(), Optional.of(enc), 256, n -> {});
        Map<String, float[]> byId = new HashMap<>();
        for (Document d : corpus) {
          byId.put(d.id(), enc.encodeDocuments(List.of(d.fullText()))[0]);
        }
        md.append(
            String.format(
                Locale.ROOT,
                "ingestion into OpenSearch with %s embedding: %d docs in %.1f s = %.1f docs/s"
                    + " (%d bulk requests of <= 64, %d retries)%n%n",
                enc.name(),
                ingest.indexed(),
                ingest.elapsed().toMillis() / 1000.0,
                ingest.docsPerSecond(),
                ingest.requests(),
                ingest.retries()));

        Retriever bm25E = new Bm25Retriever(embedded);
        Retriever bm25O = OpenSearchRetriever.bm25(os);
        Retriever denseE = new VectorRetriever(embedded, enc, VectorRetriever.Mode.HNSW);
        Retriever denseO = OpenSearchRetriever.dense(os, enc);
        Reranker rescoreE = new BiEncoderReranker(enc, vectors(enc, byId::get), 32);
        md.append("| pipeline | embedded nDCG@10 | OpenSearch nDCG@10 | difference |\n");
        md.append("| --- | --- | --- | --- |\n");
        double[] d1 =
            row(md, "BM25", queries, qrels, q -> bm25E.retrieve(q, 10), q -> bm25O.retrieve(q, 10));
        double[] d2 =
            row(
                md,
                "dense (" + enc.name() + ", HNSW)",
                queries,
                qrels,
                q -> denseE.retrieve(q, 10),
                q -> denseO.retrieve(q, 10));
        double[] d3 =
            row(
                md,
                "BM25 top 100 -> " + enc.name() + " re-scoring",
                queries,
                qrels,
                q -> rescoreE.rerank(q, bm25E.retrieve(q, DEPTH), 10),
                q -> {
                  // The cluster's own stored vectors, fetched for the candidates in one request.
                  List<Hit> c = bm25O.retrieve(q, DEPTH);
                  Map<String, float[]> stored = os.storedVectors(c.stream().map(Hit::id).toList());
                  return new BiEncoderReranker(enc, vectors(enc, stored::get), 32).rerank(q, c, 10);
                });
        Retriever hybridE =
            new HybridRetriever(List.of(bm25E, denseE), new ReciprocalRankFusion(), DEPTH);
        Retriever hybridO =
            new HybridRetriever(List.of(bm25O, denseO), new ReciprocalRankFusion(), DEPTH);
        row(
            md,
            "hybrid RRF(k=60) of BM25 + dense, depth 100",
            queries,
            qrels,
            q -> hybridE.retrieve(q, 10),
            q -> hybridO.retrieve(q, 10));

        md.append(
            "\nOpenSearch search latency (client wall time, 300 queries after 50 warm-up):\n\n");
        md.append(latency("BM25 k=10", queries, q -> os.searchText(q.text(), 10, "bm25")));
        Map<String, float[]> qv = new HashMap<>();
        for (Query q : queries) {
          qv.put(q.id(), enc.encodeQueries(List.of(q.text()))[0]);
        }
        md.append(
            latency(
                "k-NN k=10 (query pre-encoded)",
                queries,
                q -> os.searchVector(qv.get(q.id()), 10, "dense")));
        md.append(latency("BM25 k=100", queries, q -> os.searchText(q.text(), 100, "bm25")));
        System.out.println(md);
        Path out = Paths.get("target/opensearch-measure.md");
        Files.writeString(out, md.toString());
        assertThat(Math.abs(d1[1] - d1[0])).isLessThanOrEqualTo(0.005);
        assertThat(Math.abs(d2[1] - d2[0])).isLessThanOrEqualTo(0.01);
        assertThat(Math.abs(d3[1] - d3[0])).isLessThanOrEqualTo(0.005);
      } finally {
        os.deleteIndex();
      }
    }
  }

  private static DocumentVectors vectors(Encoder enc, Function<String, float[]> lookup) {
    return new DocumentVectors() {
      @Override
      public Optional<float[]> vector(String id) {
        return Optional.ofNullable(lookup.apply(id));
      }

      @Override
      public String encoder() {
        return enc.name();
      }
    };
  }

  private static double[] row(
      StringBuilder md,
      String name,
      List<Query> queries,
      Map<String, Map<String, Integer>> qrels,
      Function<Query, List<Hit>> embedded,
      Function<Query, List<Hit>> openSearch) {
    double e = 0;
    double o = 0;
    for (Query q : queries) {
      e += ndcg10(embedded.apply(q), qrels.getOrDefault(q.id(), Map.of()));
      o += ndcg10(openSearch.apply(q), qrels.getOrDefault(q.id(), Map.of()));
    }
    e /= queries.size();
    o /= queries.size();
    md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %+.4f |%n", name, e, o, o - e));
    return new double[] {e, o};
  }

  /** nDCG@10 as trec_eval's ndcg_cut.10: gain = relevance, log2(rank + 1) discount. */
  static double ndcg10(List<Hit> hits, Map<String, Integer> rel) {
    double dcg = 0;
    for (int i = 0; i < Math.min(10, hits.size()); i++) {
      dcg += rel.getOrDefault(hits.get(i).id(), 0) / (Math.log(i + 2) / Math.log(2));
    }
    int[] ideal = rel.values().stream().mapToInt(Integer::intValue).sorted().toArray();
    double idcg = 0;
    for (int i = 0; i < Math.min(10, ideal.length); i++) {
      idcg += ideal[ideal.length - 1 - i] / (Math.log(i + 2) / Math.log(2));
    }
    return idcg == 0 ? 0 : dcg / idcg;
  }

  private static String latency(String name, List<Query> queries, Function<Query, ?> search) {
    for (int i = 0; i < 50; i++) {
      search.apply(queries.get(i % queries.size()));
    }
    long[] nanos = new long[queries.size()];
    for (int i = 0; i < nanos.length; i++) {
      long t = System.nanoTime();
      search.apply(queries.get(i));
      nanos[i] = System.nanoTime() - t;
    }
    Arrays.sort(nanos);
    return String.format(
        Locale.ROOT,
        "- %s: p50 %.2f ms, p99 %.2f ms%n",
        name,
        nanos[nanos.length / 2] / 1e6,
        nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6);
  }

  private static Map<String, Map<String, Integer>> qrels(Path file) throws IOException {
    Map<String, Map<String, Integer>> out = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split("\t");
      if (f.length >= 3 && !f[0].equals("query-id")) {
        out.computeIfAbsent(f[0], k -> new HashMap<>()).put(f[1], Integer.parseInt(f[2].strip()));
      }
    }
    return out;
  }

  /** Computes each text's vector once, so both backends get the very same vectors. */
  static final class CachingEncoder implements Encoder {
    private final Encoder inner;
    private final Map<String, float[]> docs = new ConcurrentHashMap<>();
    private final Map<String, float[]> queries = new ConcurrentHashMap<>();

    CachingEncoder(Encoder inner) {
      this.inner = inner;
    }

    private static float[][] cached(
        List<String> texts, Map<String, float[]> cache, Function<List<String>, float[][]> f) {
      List<String> missing = texts.stream().filter(t -> !cache.containsKey(t)).distinct().toList();
      if (!missing.isEmpty()) {
        float[][] v = f.apply(missing);
        for (int i = 0; i < v.length; i++) {
          cache.put(missing.get(i), v[i]);
        }
      }
      return texts.stream().map(cache::get).toArray(float[][]::new);
    }

    @Override
    public float[][] encodeQueries(List<String> texts) {
      return cached(texts, queries, inner::encodeQueries);
    }

    @Override
    public float[][] encodeDocuments(List<String> texts) {
      return cached(texts, docs, inner::encodeDocuments);
    }

    @Override
    public int dimension() {
      return inner.dimension();
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public void close() {}
  }
}
