package dev.winnow.bench;

import dev.winnow.api.Document;
import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.eval.Evaluation;
import dev.winnow.eval.Metric;
import dev.winnow.eval.Qrels;
import dev.winnow.eval.Regression;
import dev.winnow.index.Bm25Retriever;
import dev.winnow.index.CorpusReader;
import dev.winnow.index.IngestResult;
import dev.winnow.index.VectorRetriever;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.BundledEncoders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The speed of Winnow's own first stage (winnow-index) on BEIR SciFact, behind {@code
 * bench/first-stage.sh}:
 *
 * <ol>
 *   <li><b>Indexing throughput</b>: the corpus ingested into a fresh on-disk {@link WinnowIndex}
 *       exactly as {@code winnow index} does it ({@code WinnowIndex.ingest}, commit included), BM25
 *       only (several runs, the first one in a cold JVM) and BM25 + bge-small int8 embeddings (the
 *       default dense model, {@link BundledEncoders#bgeSmall()} with all processors, as the CLI
 *       opens it; embedding included), with model tokens per second.
 *   <li><b>Query latency on one thread</b> over the test queries, one query at a time from one
 *       thread, after untimed warm-up passes: {@link Bm25Retriever} at k 10 and 100; {@link
 *       VectorRetriever} (exact and HNSW) at k 10 and 100, both with the query vector precomputed
 *       (retrieval only) and end to end (bge-small encoding the query with 1 ONNX Runtime thread).
 *       Query encoding alone is timed too.
 * </ol>
 *
 * Speed never counts without the right answers: every timed run is evaluated (nDCG@10, and R@100 at
 * k 100) against the values recorded in {@code regressions/scifact-bm25.yaml} and {@code
 * regressions/scifact-dense-bge-small.yaml} (HNSW against exact search over the same index), and
 * end-to-end dense rankings must equal the precomputed-vector ones; any miss exits 1. The 1-minute
 * load average is recorded at the start and end of each section, since the machine is shared, with
 * the CPU time the harness itself used.
 *
 * <p>Options (defaults): {@code --scifact ../shared/data/scifact --regressions regressions --docs
 * 0} (0: the whole corpus; N: embed only the first N documents, reported as a prefix, and the dense
 * answers cannot be checked) {@code --bm25-runs 3 --batch 1000 --warmup 2 --index-threads
 * <processors> --fusion-docs 1000} (the first N documents are also embedded with the exported graph
 * and then the fused one, fresh indexes each, for the fusion's ratio in this run; 0: skip) {@code
 * --out winnow-bench/target/first-stage}.
 */
public final class FirstStage {

  /** What one run does; parsed from {@code --name value} pairs. */
  record Options(
      Path scifact,
      Path regressions,
      int docs,
      int bm25Runs,
      int batch,
      int warmup,
      int indexThreads,
      int fusionDocs,
      Path out) {

    static Options parse(String[] args) {
      Map<String, String> a = new LinkedHashMap<>();
      a.put("scifact", "../shared/data/scifact");
      a.put("regressions", "regressions");
      a.put("docs", "0");
      a.put("bm25-runs", "3");
      a.put("batch", "1000");
      a.put("warmup", "2");
      a.put("index-threads", String.valueOf(Runtime.getRuntime().availableProcessors()));
      a.put("fusion-docs", "1000");
      a.put("out", "winnow-bench/target/first-stage");
      a = BenchArgs.parse(args, a);
      return new Options(
          Path.of(a.get("scifact")),
          Path.of(a.get("regressions")),
          BenchArgs.atLeast("docs", a.get("docs"), 0),
          BenchArgs.atLeast("bm25-runs", a.get("bm25-runs"), 1),
          BenchArgs.atLeast("batch", a.get("batch"), 1),
          BenchArgs.atLeast("warmup", a.get("warmup"), 0),
          BenchArgs.atLeast("index-threads", a.get("index-threads"), 1),
          BenchArgs.atLeast("fusion-docs", a.get("fusion-docs"), 0),
          Path.of(a.get("out")));
    }
  }

  /** The bge-small tokenizer inside the langchain4j jar (the one BundledEncoders loads). */
  private static final String BGE_TOKENIZER = "bge-small-en-v1.5-q-tokenizer.json";

  private static final int BGE_MAX_LENGTH = 512;

  /**
   * How far HNSW's nDCG@10 may differ from exact search over the same vectors. docs/results.md
   * recorded 0.7017 against exact 0.7050 (0.0033); no regression file covers HNSW.
   */
  private static final double HNSW_TOLERANCE = 0.005;

  private static final List<Integer> KS = List.of(10, 100);

  private final Options o;
  private final FirstStageResults results = new FirstStageResults();
  private final SciFact data;
  private final Qrels qrels;
  private final List<Query> queries;
  private final Path corpus;

  private FirstStage(Options o) {
    this.o = o;
    this.data = SciFact.load(o.scifact());
    this.qrels = Qrels.read(o.scifact().resolve("qrels/test.tsv"));
    this.queries =
        data.testIds().stream().map(id -> new Query(id, data.queries().get(id))).toList();
    this.corpus = o.scifact().resolve("corpus.jsonl");
  }

  public static void main(String[] args) throws IOException {
    Options o = Options.parse(args);
    FirstStage run = new FirstStage(o);
    Path tmp = Files.createTempDirectory("winnow-first-stage-");
    try {
      run.measure(tmp);
    } finally {
      deleteTree(tmp);
    }
    run.results.write(o.out());
    System.out.println(run.results.markdown());
    System.out.println("first-stage: wrote " + o.out().resolve("results.json"));
    if (!run.results.ok()) {
      System.err.println("first-stage: FAILED answer checks; the timings above do not count");
      System.exit(1);
    }
  }

  private void measure(Path tmp) {
    int corpusSize = data.corpus().size();
    int embedded = o.docs() == 0 ? corpusSize : Math.min(o.docs(), corpusSize);
    boolean prefix = embedded < corpusSize;
    recordSetup(corpusSize, embedded, tmp);

    Path bm25Index = null;
    for (int run = 1; run <= o.bm25Runs(); run++) {
      bm25Index = tmp.resolve("bm25-" + run);
      Path dir = bm25Index;
      String what = "BM25 only, run " + run + (run == 1 ? " (cold JVM)" : "");
      section("index: " + what, () -> ingest(what, dir, corpusSize, Optional.empty()));
    }
    int sample = Math.min(o.fusionDocs(), embedded);
    for (boolean fuse : sample > 0 ? new boolean[] {false, true} : new boolean[0]) {
      String graph = fuse ? "fused kernels" : "exported graph (--no-fuse)";
      Path dir = tmp.resolve("bge-small-" + (fuse ? "fused" : "exported"));
      section(
          "index: bge-small " + graph,
          () -> {
            try (Encoder bge = BundledEncoders.bgeSmall(o.indexThreads(), fuse)) {
              ingest("BM25 + bge-small int8, " + graph, dir, sample, Optional.of(bge));
            }
          });
    }
    Path denseIndex = tmp.resolve("bge-small");
    section(
        "index: BM25 + bge-small",
        () -> {
          try (Encoder bge = BundledEncoders.bgeSmall(o.indexThreads())) {
            ingest("BM25 + bge-small int8 embeddings", denseIndex, embedded, Optional.of(bge));
          }
        });

    Path bm25 = bm25Index;
    section("query: BM25", () -> bm25Latency(bm25));
    section("query: dense bge-small", () -> denseLatency(denseIndex, prefix));
  }

  private void recordSetup(int corpusSize, int embedded, Path tmp) {
    Map<String, Object> s = results.setup;
    s.put("started", Instant.now().toString());
    s.put("cpu", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " processors");
    s.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    s.put("lucene", org.apache.lucene.util.Version.LATEST.toString());
    s.put(
        "data",
        o.scifact()
            + ": "
            + corpusSize
            + " documents, "
            + queries.size()
            + " test queries"
            + (embedded < corpusSize ? "; embedding a prefix of " + embedded + " documents" : ""));
    s.put("index directory", tmp + " (FSDirectory; one fresh directory per run)");
    s.put("ingest batch", o.batch() + " documents (winnow index --batch default: 1000)");
    s.put("embedding threads (indexing)", o.indexThreads());
    s.put(
        "query side",
        "1 thread; bge-small query encoding with 1 ONNX Runtime intra-op thread; "
            + o.warmup()
            + " untimed warm-up pass(es) over all test queries before each timed pass");
  }

  // ---- indexing ----

  private void ingest(String what, Path dir, int documents, Optional<Encoder> encoder) {
    long tokens = encoder.isPresent() ? countTokens(documents) : 0;
    IngestResult r;
    try (WinnowIndex index = WinnowIndex.open(dir);
        CorpusReader reader = CorpusReader.open(corpus)) {
      r = index.ingest(firstN(reader, documents), encoder, o.batch(), n -> {});
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + corpus, e);
    }
    if (r.documentsRead() != documents || r.documentsInIndex() != documents) {
      results.failures.add(
          what
              + ": read "
              + r.documentsRead()
              + " and indexed "
              + r.documentsInIndex()
              + " documents, expected "
              + documents);
    }
    double seconds = r.elapsed().toNanos() / 1e9;
    results.indexRuns.add(
        new FirstStageResults.IndexRun(
            what,
            encoder.map(Encoder::name).orElse("none"),
            encoder.isPresent() ? o.indexThreads() : 0,
            o.batch(),
            documents,
            documents < data.corpus().size(),
            seconds,
            r.documentsPerSecond(),
            tokens,
            tokens / seconds));
    System.err.printf(
        java.util.Locale.ROOT,
        "first-stage: %s: %d documents in %.2f s (%.1f docs/s)%n",
        what,
        documents,
        seconds,
        r.documentsPerSecond());
  }

  /**
   * Model tokens the encoder will see for the first {@code documents} documents: {@code [CLS] title
   * text [SEP]} cut to 512, padding excluded (counted before the timed ingest).
   */
  private long countTokens(int documents) {
    Path json = null;
    try (InputStream in = FirstStage.class.getClassLoader().getResourceAsStream(BGE_TOKENIZER)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource " + BGE_TOKENIZER + " is missing");
      }
      json = Files.createTempFile("bge-tokenizer-", ".json");
      Files.write(json, in.readAllBytes());
      long total = 0;
      try (TokenCounter counter = new TokenCounter(json, BGE_MAX_LENGTH);
          CorpusReader reader = CorpusReader.open(corpus)) {
        Iterator<Document> docs = firstN(reader, documents);
        while (docs.hasNext()) {
          total += counter.singleLength(docs.next().fullText());
        }
      }
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot count tokens", e);
    } finally {
      if (json != null) {
        json.toFile().delete();
      }
    }
  }

  // ---- query latency ----

  private void bm25Latency(Path dir) {
    Regression recorded = Regression.load(o.regressions().resolve("scifact-bm25.yaml"));
    try (WinnowIndex index = WinnowIndex.openExisting(dir)) {
      Bm25Retriever bm25 = new Bm25Retriever(index);
      for (int k : KS) {
        Timed t = time(q -> bm25.retrieve(q, k));
        String name = "BM25 k=" + k;
        check(name, t, k, recorded);
        results.latencyRuns.add(
            FirstStageResults.LatencyRun.of("BM25", "retrieve", k, t.nanos(), ndcg(t)));
      }
    }
  }

  private void denseLatency(Path dir, boolean prefix) {
    Regression recorded = Regression.load(o.regressions().resolve("scifact-dense-bge-small.yaml"));
    if (prefix) {
      results.notes.add(
          "dense nDCG@10 NOT checked against the recorded values: the index holds only a prefix"
              + " of the corpus (--docs); only HNSW against exact and end-to-end against"
              + " precomputed-vector rankings are checked");
    }
    try (WinnowIndex index = WinnowIndex.openExisting(dir);
        Encoder bge = BundledEncoders.bgeSmall(1)) {
      Map<String, float[]> vectors = encodeQueries(bge);
      Map<Integer, Double> exactNdcg = new LinkedHashMap<>();
      for (VectorRetriever.Mode mode :
          List.of(VectorRetriever.Mode.EXACT, VectorRetriever.Mode.HNSW)) {
        VectorRetriever dense = new VectorRetriever(index, bge, mode);
        String label = "dense bge-small " + mode.name().toLowerCase(java.util.Locale.ROOT);
        for (int k : KS) {
          Timed searchOnly = time(q -> dense.search(vectors.get(q.id()), k));
          Timed endToEnd = time(q -> dense.retrieve(q, k));
          String name = label + " k=" + k;
          if (!searchOnly.run().equals(endToEnd.run())) {
            results.failures.add(
                name + ": end-to-end rankings differ from those with precomputed query vectors");
          }
          if (mode == VectorRetriever.Mode.EXACT) {
            exactNdcg.put(k, ndcg(searchOnly));
            if (!prefix) { // the recorded values are for the whole corpus
              check(name, searchOnly, k, recorded);
            }
          } else {
            results.checks.add(
                new FirstStageResults.Check(
                    name,
                    Metric.NDCG_10.label(),
                    exactNdcg.get(k),
                    HNSW_TOLERANCE,
                    ndcg(searchOnly),
                    "exact search over the same index in this run"));
          }
          results.latencyRuns.add(
              FirstStageResults.LatencyRun.of(
                  label, "search (vector given)", k, searchOnly.nanos(), ndcg(searchOnly)));
          results.latencyRuns.add(
              FirstStageResults.LatencyRun.of(
                  label, "encode + search", k, endToEnd.nanos(), ndcg(endToEnd)));
        }
      }
    }
  }

  /** Encodes every query alone (as end-to-end retrieval does), after the warm-up passes. */
  private Map<String, float[]> encodeQueries(Encoder bge) {
    Map<String, float[]> vectors = new LinkedHashMap<>();
    long[] nanos = new long[queries.size()];
    for (int pass = 0; pass <= o.warmup(); pass++) {
      for (int i = 0; i < queries.size(); i++) {
        Query q = queries.get(i);
        long t0 = System.nanoTime();
        float[] v = bge.encodeQueries(List.of(q.text()))[0];
        nanos[i] = System.nanoTime() - t0;
        vectors.put(q.id(), v);
      }
    }
    results.latencyRuns.add(
        FirstStageResults.LatencyRun.of(
            "bge-small query encoding", "encode", 0, nanos, Double.NaN));
    return vectors;
  }

  /** One timed pass: per-query nanoseconds and the ranking of each query (ids, best first). */
  private record Timed(long[] nanos, Map<String, List<String>> run) {}

  /**
   * Runs {@code search} over every test query {@code warmup} times untimed, then once timed, one
   * query at a time on this thread.
   */
  private Timed time(Function<Query, List<Hit>> search) {
    for (int pass = 0; pass < o.warmup(); pass++) {
      for (Query q : queries) {
        search.apply(q);
      }
    }
    long[] nanos = new long[queries.size()];
    List<List<Hit>> answers = new ArrayList<>(queries.size());
    for (int i = 0; i < queries.size(); i++) {
      long t0 = System.nanoTime();
      List<Hit> hits = search.apply(queries.get(i));
      nanos[i] = System.nanoTime() - t0;
      answers.add(hits);
    }
    Map<String, List<String>> run = new LinkedHashMap<>();
    for (int i = 0; i < queries.size(); i++) {
      run.put(queries.get(i).id(), answers.get(i).stream().map(Hit::id).toList());
    }
    return new Timed(nanos, run);
  }

  private double ndcg(Timed t) {
    return Evaluation.of(qrels, t.run(), List.of(Metric.NDCG_10)).mean(Metric.NDCG_10);
  }

  /** Checks nDCG@10 (and R@100 when k reaches 100) against the regression's recorded values. */
  private void check(String name, Timed t, int k, Regression recorded) {
    Evaluation e = Evaluation.of(qrels, t.run(), List.of(Metric.NDCG_10, Metric.RECALL_100));
    for (Regression.Expectation x : recorded.expectations()) {
      boolean applies =
          x.metric().equals(Metric.NDCG_10) || (x.metric().equals(Metric.RECALL_100) && k >= 100);
      if (applies) {
        results.checks.add(
            new FirstStageResults.Check(
                name,
                x.metric().label(),
                x.expected(),
                x.tolerance(),
                e.mean(x.metric()),
                recorded.name() + ": " + x.source()));
      }
    }
  }

  // ---- helpers ----

  /**
   * Runs {@code body} and records the load average before and after it, its wall time, this
   * process's CPU time (all its threads, ONNX Runtime's native ones included) and its GC time.
   */
  private void section(String name, Runnable body) {
    double start = loadAverage();
    long gc0 = gcMillis();
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    System.err.printf(java.util.Locale.ROOT, "first-stage: %s (load %.2f)%n", name, start);
    body.run();
    results.sections.add(
        new FirstStageResults.Section(
            name,
            start,
            loadAverage(),
            (System.nanoTime() - t0) / 1e9,
            (processCpuNanos() - cpu0) / 1e9,
            gcMillis() - gc0));
  }

  /** CPU time of this process so far, or 0 where the JVM cannot tell. */
  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  /** Milliseconds this JVM has spent collecting garbage so far, all collectors together. */
  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  /** The 1-minute load average, or NaN where /proc/loadavg does not exist. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException | UncheckedIOException e) {
      return "unknown CPU";
    }
  }

  /** The first {@code n} documents of {@code docs}. */
  private static Iterator<Document> firstN(Iterator<Document> docs, int n) {
    return new Iterator<>() {
      private int taken;

      @Override
      public boolean hasNext() {
        return taken < n && docs.hasNext();
      }

      @Override
      public Document next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        taken++;
        return docs.next();
      }
    };
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
