package dev.winnow.eval;

import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.index.IngestResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * Runs an {@link EvalRequest}: loads the dataset, opens (or builds) the index, runs every query
 * through the pipeline with per-stage timing, and evaluates the run with the {@link
 * Metric#STANDARD} measures. Metrics are computed on the hits in the order the pipeline returned
 * them. Latency has one entry per stage, {@code total} (wall clock per query) and {@code total_cpu}
 * (CPU time of the evaluating thread per query, when the JVM measures it).
 */
public final class EvalRunner {

  /** Hears progress: documents indexed so far, and queries done out of the total. */
  public interface Progress {
    Progress NONE = new Progress() {};

    default void indexed(long documents) {}

    default void queried(int done, int total) {}
  }

  private EvalRunner() {}

  public static EvalReport run(EvalRequest request, Progress progress) {
    Pipelines.check(request.pipeline());
    BeirDataset dataset = dataset(request);
    IndexCache.Opened opened = openIndex(request, dataset.corpus(), progress::indexed);
    try (var index = opened.index();
        SearchPipeline pipeline = Pipelines.create(request.pipeline(), index)) {
      return evaluate(
          request,
          dataset,
          pipeline,
          index::contains,
          opened.path(),
          index.size(),
          opened.built(),
          progress);
    }
  }

  /** The dataset {@code request} names, cut to its query ids and query limit. */
  public static BeirDataset dataset(EvalRequest request) {
    BeirDataset dataset = BeirDataset.load(request.dataset(), request.split());
    if (!request.queryIds().isEmpty()) {
      dataset = dataset.onlyQueries(request.queryIds());
    }
    if (request.queryLimit().isPresent()) {
      dataset = dataset.firstQueries(request.queryLimit().getAsInt());
    }
    return dataset;
  }

  /**
   * Runs every query of {@code dataset} through {@code pipeline}, which the caller built over some
   * store of the dataset's corpus (the embedded index, or an OpenSearch index), and evaluates the
   * run. {@code contains} tells which documents the store holds, {@code index} names it in the
   * report, {@code indexBuilt} says whether this run built it.
   */
  public static EvalReport evaluate(
      EvalRequest request,
      BeirDataset dataset,
      SearchPipeline pipeline,
      Predicate<String> contains,
      Path index,
      int indexDocuments,
      Optional<IngestResult> indexBuilt,
      Progress progress) {
    int unknown = dataset.qrels().countUnknownDocuments(contains);
    List<Query> queries = dataset.queries();
    for (int i = 0; i < Math.min(request.warmupQueries(), queries.size()); i++) {
      pipeline.search(queries.get(i), request.k(), new StageTimer());
    }
    Map<String, List<Hit>> run = new LinkedHashMap<>();
    Map<String, List<Long>> stageNanos = new LinkedHashMap<>();
    List<Long> totals = new ArrayList<>(queries.size());
    List<Long> cpu = new ArrayList<>(queries.size());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    boolean timesCpu = threads.isCurrentThreadCpuTimeSupported();
    for (int i = 0; i < queries.size(); i++) {
      Query q = queries.get(i);
      StageTimer timer = new StageTimer();
      long cpuStart = timesCpu ? threads.getCurrentThreadCpuTime() : 0;
      long start = System.nanoTime();
      List<Hit> hits = pipeline.search(q, request.k(), timer);
      totals.add(System.nanoTime() - start);
      if (timesCpu) {
        cpu.add(threads.getCurrentThreadCpuTime() - cpuStart);
      }
      timer
          .stages()
          .forEach((s, n) -> stageNanos.computeIfAbsent(s, x -> new ArrayList<>()).add(n));
      // Keep ids, scores and provenance; drop the texts so long evaluations stay small.
      run.put(
          q.id(), hits.stream().map(h -> new Hit(h.id(), "", h.score(), h.provenance())).toList());
      progress.queried(i + 1, queries.size());
    }
    Map<String, List<String>> rankings = new LinkedHashMap<>();
    run.forEach((q, hits) -> rankings.put(q, hits.stream().map(Hit::id).toList()));
    Evaluation evaluation = Evaluation.of(dataset.qrels(), rankings, Metric.STANDARD);
    Map<String, LatencySummary> latency = new LinkedHashMap<>();
    stageNanos.forEach((s, n) -> latency.put(s, LatencySummary.ofNanos(n)));
    latency.put("total", LatencySummary.ofNanos(totals));
    if (!cpu.isEmpty()) {
      // CPU time of the evaluating thread: steadier than wall time on a shared machine, but
      // blind to work done on other threads (ONNX Runtime's intra-op pool, for one).
      latency.put("total_cpu", LatencySummary.ofNanos(cpu));
    }
    return new EvalReport(
        dataset.directory(),
        dataset.split(),
        pipeline.description(),
        request.k(),
        evaluation,
        latency,
        dataset.qrels().size(),
        unknown,
        dataset.qrelsQueriesWithoutText(),
        index,
        indexDocuments,
        indexBuilt,
        run);
  }

  private static IndexCache.Opened openIndex(
      EvalRequest request, Path corpus, LongConsumer indexed) {
    // Only dense pipelines need document vectors, hence an encoder while indexing.
    Optional<Encoder> encoder = Pipelines.documentEncoder(request.pipeline());
    try {
      return request.index().isPresent()
          ? IndexCache.openOrBuildAt(request.index().get(), corpus, encoder, indexed)
          : IndexCache.openOrBuild(IndexCache.defaultRoot(), corpus, encoder, indexed);
    } finally {
      encoder.ifPresent(Encoder::close);
    }
  }
}
