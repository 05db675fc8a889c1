package dev.winnow.eval;

import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.index.Bm25Retriever;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.hub.ModelResolver;
import dev.winnow.pipeline.CascadeSpec;
import dev.winnow.pipeline.Cascades;
import dev.winnow.pipeline.Encoders;
import dev.winnow.pipeline.Pipeline;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The one place where a {@link PipelineSpec} becomes a runnable {@link SearchPipeline} over an
 * index, so that {@code winnow eval}, {@code winnow regress} and the regression tests all gain new
 * stages at once.
 *
 * <p>Plain BM25 (options {@code k1}, {@code b}) runs the retriever directly. Anything else (dense
 * or hybrid first stages, rerank stages: the options of {@link CascadeSpec#OPTIONS}) is a {@link
 * CascadeSpec} built by {@link Cascades}; its per-stage times are recorded as {@code retrieve} and
 * {@code rerank:<stage>}.
 */
public final class Pipelines {

  /** The retrievers {@link #create} knows. */
  public static final Set<String> RETRIEVERS = Set.of("bm25", "dense", "hybrid");

  private static final Set<String> BM25_OPTIONS = Set.of("k1", "b");

  private Pipelines() {}

  /**
   * Fails fast, before any indexing, when {@code spec} names a retriever nobody builds or an option
   * the pipeline does not know.
   */
  public static void check(PipelineSpec spec) {
    if (!RETRIEVERS.contains(spec.retriever())) {
      throw new IllegalArgumentException(
          "retriever must be one of "
              + RETRIEVERS.stream().sorted().toList()
              + "; got '"
              + spec.retriever()
              + "'");
    }
    if (!plainBm25(spec)) {
      cascade(spec);
    }
  }

  /** Builds the pipeline {@code spec} names over {@code index} (which the caller keeps owning). */
  public static SearchPipeline create(PipelineSpec spec, WinnowIndex index) {
    check(spec);
    if (plainBm25(spec)) {
      return bm25(spec, index);
    }
    return cascade(cascade(spec), index, ModelResolver.fromEnvironment(), Pipelines::warnOnce);
  }

  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  /** Each warning once per process: a --sweep-k evaluation opens the same models many times. */
  private static void warnOnce(String message) {
    if (WARNED.add(message)) {
      System.err.println("winnow: " + message);
    }
  }

  /**
   * The encoder whose document vectors the index must hold for {@code spec}, opened for indexing
   * (the caller closes it): the embedder of a dense or hybrid first stage, else the model of a
   * bi-encoder rerank stage (so rescoring reads stored vectors instead of embedding every candidate
   * of every query); empty when the pipeline reads no vectors.
   */
  public static Optional<Encoder> documentEncoder(PipelineSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return vectorModel(spec).map(Encoders::open);
  }

  /** The user-facing name of the encoder {@link #documentEncoder} would open. */
  public static Optional<String> vectorModel(PipelineSpec spec) {
    if (plainBm25(spec)) {
      return Optional.empty();
    }
    CascadeSpec c = cascade(spec);
    if (c.needsVectors()) {
      return Optional.of(c.embedder());
    }
    return c.rerank().stream()
        .filter(r -> r.kind() == CascadeSpec.RerankSpec.Kind.BI_ENCODER)
        .map(CascadeSpec.RerankSpec::model)
        .findFirst();
  }

  private static boolean plainBm25(PipelineSpec spec) {
    return spec.retriever().equals("bm25") && BM25_OPTIONS.containsAll(spec.options().keySet());
  }

  /** The cascade {@code spec} describes; BM25's k1/b cannot be combined with cascade options. */
  static CascadeSpec cascade(PipelineSpec spec) {
    Map<String, String> options = new TreeMap<>(spec.options());
    for (String k : BM25_OPTIONS) {
      if (options.remove(k) != null) {
        throw new IllegalArgumentException(
            "pipeline option "
                + k
                + " applies to plain bm25 only; remove it or the options "
                + new TreeMap<>(spec.options()).keySet());
      }
    }
    return CascadeSpec.parse(spec.retriever(), options);
  }

  /**
   * A cascade as a {@link SearchPipeline}: the first stage returns {@code k}, rerankers read
   * theirs.
   */
  static SearchPipeline cascade(
      CascadeSpec spec, WinnowIndex index, ModelResolver models, Consumer<String> warn) {
    Cascades.Opened opened = Cascades.open(spec, index, 100, 100, models, warn);
    Map<Integer, Pipeline> byK = new HashMap<>();
    return new SearchPipeline() {
      @Override
      public List<Hit> search(Query query, int k, StageTimer timer) {
        Pipeline p = byK.computeIfAbsent(k, n -> opened.pipeline(n, n));
        Pipeline.Result r = p.search(query);
        List<Pipeline.StageTiming> t = r.timings();
        timer.record("retrieve", t.get(0).nanos());
        for (int i = 1; i < t.size(); i++) {
          timer.record("rerank:" + t.get(i).stage(), t.get(i).nanos());
        }
        return r.hits();
      }

      @Override
      public String description() {
        return spec.describe();
      }

      @Override
      public void close() {
        opened.close();
      }
    };
  }

  private static SearchPipeline bm25(PipelineSpec spec, WinnowIndex index) {
    float k1 = spec.floatOption("k1", 0.9f);
    float b = spec.floatOption("b", 0.4f);
    Bm25Retriever retriever = new Bm25Retriever(index, k1, b);
    String description = "bm25(k1=" + k1 + ",b=" + b + ")";
    return new SearchPipeline() {
      @Override
      public List<Hit> search(Query query, int k, StageTimer timer) {
        return timer.time("retrieve", () -> retriever.retrieve(query, k));
      }

      @Override
      public String description() {
        return description;
      }
    };
  }
}
