package dev.winnow.cli;

import dev.winnow.pipeline.CascadeSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The pipeline options {@code search} and {@code eval} share (a picocli mixin) besides the
 * retriever each command declares: embedder, rerank stages and how cross-encoders read long
 * documents. They become a {@link CascadeSpec} through {@link #options()}.
 */
final class PipelineOptions {

  @Option(
      names = "--embedder",
      description =
          "Bi-encoder of dense/hybrid retrieval: bge-small or minilm. Default: bge-small.")
  String embedder;

  @Option(
      names = "--vector-search",
      description = "hnsw (Lucene HNSW graph, default) or exact (every vector scored).")
  String vectorSearch;

  @Option(names = "--fusion", description = "Hybrid fusion: rrf (default) or linear.")
  String fusion;

  @Option(names = "--rrf-k", description = "RRF constant (default 60).")
  Integer rrfK;

  @Option(
      names = "--alpha",
      description = "Linear fusion: weight of BM25, the dense list gets 1 - alpha (default 0.5).")
  Double alpha;

  @Option(
      names = "--normalization",
      description = "Linear fusion: min-max (default) or z-score, over each list's scores.")
  String normalization;

  @Option(
      names = "--depth",
      description = "Hybrid: hits taken from each list before fusion (default 100, at least --k).")
  Integer depth;

  @Option(
      names = "--rerank",
      description =
          "Rerank stage, repeatable, in order: none, bi-encoder:<bge-small|minilm>[@k],"
              + " late-interaction:<ColBERT checkpoint folder or hub id>[@k] or"
              + " cross-encoder:<model folder or hub id>[@k] (k: candidates the stage reads;"
              + " default --k).")
  List<String> rerank = new ArrayList<>();

  @Option(
      names = "--rerank-fusion",
      paramLabel = "none|linear:W|rrf[:K]",
      description =
          "Fuse each rerank stage's score with the earlier tier's, per query over the stage's"
              + " candidates: linear:W = W x minmax(earlier) + (1 - W) x minmax(stage), or"
              + " reciprocal-rank fusion (K 60). Default: none (the stage's score replaces it).")
  String rerankFusion;

  @Option(
      names = "--strategy",
      description =
          "Cross-encoder long documents: truncate (default; the engine's truncation), first (the"
              + " first passage only, query kept whole) or maxp (best of overlapping windows).")
  String strategy;

  @Option(
      names = "--stride",
      description = "maxp: tokens between window starts (default half a window).")
  Integer stride;

  @Option(
      names = "--passage-tokens",
      description =
          "first/maxp: document tokens per window (default: all that fit beside the query).")
  Integer passageTokens;

  @Option(
      names = "--max-length",
      description = "Cross-encoder maximum tokens per pair (default: the model's).")
  Integer maxLength;

  @Option(
      names = "--variant",
      description =
          "Cross-encoder ONNX variant: default (onnx/model.onnx), qint8, ... Default: default.")
  String variant;

  @Option(
      names = "--cache",
      description = "Cross-encoder pair-score cache entries (default 0: off).")
  Integer cache;

  /** The options that were given, as {@link CascadeSpec#parse} reads them. */
  Map<String, String> options() {
    Map<String, String> o = new LinkedHashMap<>();
    put(o, "embedder", embedder);
    put(o, "vector-search", vectorSearch);
    put(o, "fusion", fusion);
    put(o, "rrf-k", rrfK);
    put(o, "alpha", alpha);
    put(o, "normalization", normalization);
    put(o, "depth", depth);
    if (!rerank.isEmpty()) {
      o.put("rerank", String.join(",", rerank));
    }
    put(o, "rerank-fusion", rerankFusion);
    put(o, "strategy", strategy);
    put(o, "stride", stride);
    put(o, "passage-tokens", passageTokens);
    put(o, "max-length", maxLength);
    put(o, "variant", variant);
    put(o, "cache", cache);
    return o;
  }

  CascadeSpec spec(String retriever) {
    return CascadeSpec.parse(retriever, options());
  }

  private static void put(Map<String, String> o, String key, Object value) {
    if (value != null) {
      o.put(key, String.valueOf(value));
    }
  }
}
