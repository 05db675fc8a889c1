package dev.winnow.eval;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What to evaluate: a BEIR folder and split, the pipeline, how many hits to keep per query ({@code
 * k}), optionally only the first queries, where the index lives (absent: the {@link IndexCache}),
 * how many queries to run untimed first to warm up the JVM, and optionally only the queries with
 * the given ids (empty: all; applied before the query limit).
 */
public record EvalRequest(
    Path dataset,
    String split,
    PipelineSpec pipeline,
    int k,
    OptionalInt queryLimit,
    Optional<Path> index,
    int warmupQueries,
    Set<String> queryIds) {

  public EvalRequest {
    queryIds = Set.copyOf(queryIds);
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(queryLimit, "queryLimit");
    Objects.requireNonNull(index, "index");
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (queryLimit.isPresent() && queryLimit.getAsInt() < 1) {
      throw new IllegalArgumentException(
          "queries must be >= 1 when given, got " + queryLimit.getAsInt());
    }
    if (warmupQueries < 0) {
      throw new IllegalArgumentException("warmup must be >= 0, got " + warmupQueries);
    }
  }

  /** A request over every query of the split (or its first {@code queryLimit}). */
  public EvalRequest(
      Path dataset,
      String split,
      PipelineSpec pipeline,
      int k,
      OptionalInt queryLimit,
      Optional<Path> index,
      int warmupQueries) {
    this(dataset, split, pipeline, k, queryLimit, index, warmupQueries, Set.of());
  }

  /** This request over the queries {@code ids} names only. */
  public EvalRequest withQueryIds(Set<String> ids) {
    return new EvalRequest(dataset, split, pipeline, k, queryLimit, index, warmupQueries, ids);
  }

  /** The defaults of {@code winnow eval}: k 100, all queries, cached index, no warm-up. */
  public static EvalRequest of(Path dataset, String split, PipelineSpec pipeline) {
    return new EvalRequest(dataset, split, pipeline, 100, OptionalInt.empty(), Optional.empty(), 0);
  }

  public EvalRequest withK(int newK) {
    return new EvalRequest(
        dataset, split, pipeline, newK, queryLimit, index, warmupQueries, queryIds);
  }

  public EvalRequest withIndex(Path dir) {
    return new EvalRequest(
        dataset, split, pipeline, k, queryLimit, Optional.of(dir), warmupQueries, queryIds);
  }
}
