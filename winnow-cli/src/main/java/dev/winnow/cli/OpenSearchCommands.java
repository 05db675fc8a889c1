package dev.winnow.cli;

import dev.winnow.api.Document;
import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.eval.BeirDataset;
import dev.winnow.eval.EvalReport;
import dev.winnow.eval.EvalRequest;
import dev.winnow.eval.EvalRunner;
import dev.winnow.eval.SearchPipeline;
import dev.winnow.eval.StageTimer;
import dev.winnow.index.CorpusReader;
import dev.winnow.index.IngestResult;
import dev.winnow.onnx.hub.ModelResolver;
import dev.winnow.opensearch.IngestReport;
import dev.winnow.opensearch.OpenSearchBackend;
import dev.winnow.opensearch.OpenSearchConfig;
import dev.winnow.pipeline.CascadeSpec;
import dev.winnow.pipeline.Cascades;
import dev.winnow.pipeline.Encoders;
import dev.winnow.pipeline.Pipeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** What {@code index} and {@code eval} do with {@code --backend opensearch}. */
final class OpenSearchCommands {

  private OpenSearchCommands() {}

  /**
   * Bulk-ingests {@code corpus} into the cluster (vectors from {@code embedder} when given), then
   * prints the counts. Exit status 1 when any document was refused; each one is listed with its
   * reason.
   */
  static int index(
      OpenSearchConfig config, Path corpus, String embedder, int batch, PrintWriter out) {
    Optional<Encoder> encoder = Optional.ofNullable(embedder).map(Encoders::open);
    IngestReport r;
    long count;
    try (OpenSearchBackend backend =
            OpenSearchBackend.connect(config.withBatchSize(Math.min(batch, 10_000)));
        CorpusReader reader = CorpusReader.open(corpus);
        Progress progress = Progress.start("indexing", Lines.count(corpus))) {
      Iterable<Document> documents = () -> reader;
      r = backend.ingest(documents, encoder, progress::update);
      count = backend.count();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read corpus " + corpus + ": " + e.getMessage(), e);
    } finally {
      encoder.ifPresent(Encoder::close);
    }
    out.printf(
        Locale.ROOT,
        "indexed %d documents from %s into OpenSearch at %s, index '%s'%s in %.2f s (%.0f docs/s);"
            + " refreshed and flushed, the index holds %d documents%n",
        r.indexed(),
        corpus,
        config.describeUrls(),
        config.index(),
        encoder.map(e -> " with " + e.name() + " vectors").orElse(""),
        r.elapsed().toNanos() / 1e9,
        r.docsPerSecond(),
        count);
    if (!r.complete()) {
      out.println("winnow: " + r.failures().size() + " documents were refused: " + r.summary(20));
      out.flush();
      return 1;
    }
    out.flush();
    return 0;
  }

  /**
   * {@code eval} over an OpenSearch index: the dataset's corpus is ingested first when the index is
   * missing or empty (with vectors when the pipeline reads them), otherwise the index is used as it
   * is; the pipeline is the cascade the options name, its first stage served by the cluster.
   */
  static EvalReport eval(
      OpenSearchConfig config,
      EvalRequest request,
      EvalRunner.Progress progress,
      Consumer<String> warn) {
    BeirDataset dataset = EvalRunner.dataset(request);
    CascadeSpec cascade =
        CascadeSpec.parse(request.pipeline().retriever(), request.pipeline().options());
    try (OpenSearchBackend backend = OpenSearchBackend.connect(config)) {
      Optional<IngestResult> built = Optional.empty();
      if (!backend.indexExists() || backend.count() == 0) {
        Optional<Encoder> encoder =
            cascade.retriever().equals("bm25")
                ? Optional.empty()
                : Optional.of(Encoders.open(cascade.embedder()));
        try (CorpusReader reader = CorpusReader.open(dataset.corpus())) {
          Iterable<Document> documents = () -> reader;
          IngestReport r = backend.ingest(documents, encoder, progress::indexed);
          if (!r.complete()) {
            throw new IllegalStateException(
                backend + ": " + r.failures().size() + " documents were refused: " + r.summary(5));
          }
          built = Optional.of(new IngestResult(r.indexed(), (int) backend.count(), r.elapsed()));
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot read corpus " + dataset.corpus() + ": " + e.getMessage(), e);
        } finally {
          encoder.ifPresent(Encoder::close);
        }
      }
      Set<String> judged = new HashSet<>();
      for (String q : dataset.qrels().queryIds()) {
        judged.addAll(dataset.qrels().judgments(q).keySet());
      }
      Set<String> present = backend.existing(judged);
      try (Cascades.Opened opened =
          Cascades.open(
              cascade,
              new OpenSearchFirstStage(backend),
              request.k(),
              request.k(),
              ModelResolver.fromEnvironment(),
              warn)) {
        Pipeline p = opened.pipeline();
        SearchPipeline pipeline =
            new SearchPipeline() {
              @Override
              public List<Hit> search(Query query, int k, StageTimer timer) {
                Pipeline.Result r = p.search(query);
                for (Pipeline.StageTiming t : r.timings()) {
                  timer.record(t.stage(), t.nanos());
                }
                return r.hits();
              }

              @Override
              public String description() {
                return cascade.describe() + " on opensearch";
              }
            };
        return EvalRunner.evaluate(
            request,
            dataset,
            pipeline,
            present::contains,
            Path.of("opensearch", config.index()),
            (int) backend.count(),
            built,
            progress);
      }
    }
  }
}
