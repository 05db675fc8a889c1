package dev.winnow.pipeline;

import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.api.Retriever;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A cascade: a first stage finds {@code k} candidates, each rerank stage re-scores the best {@code
 * k_i} of the previous stage's list, and the best {@code topN} of the last list are returned.
 * Candidates a stage did not see are dropped (the cascade narrows); every returned hit keeps the
 * full provenance of the stages that scored it.
 *
 * <p>Immutable and thread-safe when its retriever and rerankers are (the api requires both).
 */
public final class Pipeline {

  /** One rerank stage: the reranker and how many of the previous list it reads. */
  public record Stage(Reranker reranker, int k) {
    public Stage {
      Objects.requireNonNull(reranker, "reranker");
      if (k < 1) {
        throw new IllegalArgumentException(
            "k of stage '" + reranker.name() + "' must be >= 1, got " + k);
      }
    }
  }

  /** Time spent in one stage of one search. */
  public record StageTiming(String stage, long nanos) {
    public double millis() {
      return nanos / 1e6;
    }
  }

  /** The answer to one query: the hits and the time each stage took. */
  public record Result(Query query, List<Hit> hits, List<StageTiming> timings) {
    public Result {
      hits = List.copyOf(hits);
      timings = List.copyOf(timings);
    }
  }

  private final Retriever retriever;
  private final int k;
  private final List<Stage> stages;
  private final int topN;

  /**
   * @param k how many candidates the first stage returns
   * @param stages rerank stages in order (may be empty: first stage only)
   * @param topN how many hits the pipeline returns
   */
  public Pipeline(Retriever retriever, int k, List<Stage> stages, int topN) {
    this.retriever = Objects.requireNonNull(retriever, "retriever");
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (topN < 1) {
      throw new IllegalArgumentException("top-n must be >= 1, got " + topN);
    }
    this.k = k;
    this.stages = List.copyOf(stages);
    this.topN = topN;
  }

  /** First stage, then one reranker over all {@code k} candidates. */
  public static Pipeline of(Retriever retriever, int k, Optional<Reranker> reranker, int topN) {
    return new Pipeline(
        retriever, k, reranker.map(r -> List.of(new Stage(r, k))).orElse(List.of()), topN);
  }

  public Result search(Query query) {
    List<StageTiming> timings = new ArrayList<>(stages.size() + 1);
    long t0 = System.nanoTime();
    List<Hit> hits = retriever.retrieve(query, k);
    timings.add(new StageTiming(retriever.name(), System.nanoTime() - t0));
    for (Stage s : stages) {
      List<Hit> in = hits.subList(0, Math.min(s.k(), hits.size()));
      long t = System.nanoTime();
      hits = s.reranker().rerank(query, in, s.k());
      timings.add(new StageTiming(s.reranker().name(), System.nanoTime() - t));
    }
    return new Result(query, hits.subList(0, Math.min(topN, hits.size())), timings);
  }

  public Retriever retriever() {
    return retriever;
  }

  public int k() {
    return k;
  }

  public List<Stage> stages() {
    return stages;
  }

  public int topN() {
    return topN;
  }

  /** The fusion of a hybrid first stage, for explanations. */
  public Optional<Fusion> fusion() {
    return retriever instanceof HybridRetriever h ? Optional.of(h.fusion()) : Optional.empty();
  }

  /** {@link Explanation#render} with this pipeline's fusion. */
  public String explain(Hit hit) {
    return Explanation.render(hit, fusion());
  }
}
