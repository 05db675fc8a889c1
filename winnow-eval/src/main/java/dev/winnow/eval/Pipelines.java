package dev.winnow.eval;

import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.index.Bm25Retriever;
import dev.winnow.index.WinnowIndex;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The one place where a {@link PipelineSpec} becomes a runnable {@link SearchPipeline} over an
 * index. New first stages (dense, hybrid) and later stages (rerank cascades) are added here, so
 * that {@code winnow eval}, {@code winnow regress} and the regression tests all gain them at once.
 */
public final class Pipelines {

  /** The retrievers {@link #create} knows. */
  public static final Set<String> RETRIEVERS = Set.of("bm25");

  private Pipelines() {}

  /** Fails fast, before any indexing, when {@code spec} names a retriever nobody builds. */
  public static void check(PipelineSpec spec) {
    if (!RETRIEVERS.contains(spec.retriever())) {
      throw new IllegalArgumentException(
          "retriever must be one of "
              + RETRIEVERS.stream().sorted().toList()
              + "; got '"
              + spec.retriever()
              + "'");
    }
  }

  /** Builds the pipeline {@code spec} names over {@code index} (which the caller keeps owning). */
  public static SearchPipeline create(PipelineSpec spec, WinnowIndex index) {
    return switch (spec.retriever()) {
      case "bm25" -> bm25(spec, index);
      default ->
          throw new IllegalArgumentException(
              "retriever must be one of "
                  + RETRIEVERS.stream().sorted().toList()
                  + "; got '"
                  + spec.retriever()
                  + "'");
    };
  }

  /**
   * The encoder whose document vectors the index must hold for {@code spec}, opened for indexing
   * (the caller closes it); empty when the pipeline reads no vectors, as BM25 does not.
   */
  public static Optional<Encoder> documentEncoder(PipelineSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return Optional.empty(); // dense retrievers return their document encoder here
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
