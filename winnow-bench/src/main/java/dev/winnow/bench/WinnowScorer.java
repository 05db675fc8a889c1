package dev.winnow.bench;

import dev.winnow.api.Activation;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.onnx.TokenBatches;
import java.util.List;

/**
 * Winnow's engine, {@link OnnxCrossEncoder}, as shipped: pairs sorted by length, cut into batches
 * of at most {@code tokenBudget} padded tokens at the cut points that minimise padding plus a
 * per-batch overhead, each padded to its own longest pair, fed from direct buffers, transformer
 * kernels fused ({@code winnow}) or not ({@code winnow-unfused}). {@code
 * -Dwinnow.bench.tokenBudget=N} and {@code -Dwinnow.bench.batchOverhead=N} override the engine's
 * defaults.
 */
final class WinnowScorer implements PairScorerAdapter {

  private final OnnxCrossEncoder encoder;
  private final ScoringOptions options;
  private final String name;

  WinnowScorer(BenchModel m, boolean fuse) {
    this(
        m,
        fuse ? "winnow" : "winnow-unfused",
        fuse,
        Integer.getInteger(
            "winnow.bench.batchOverhead", OnnxCrossEncoder.Options.DEFAULT_BATCH_OVERHEAD));
  }

  /** The fused engine with the default batch overhead, under another name. */
  WinnowScorer(BenchModel m, String name) {
    this(m, name, true, OnnxCrossEncoder.Options.DEFAULT_BATCH_OVERHEAD);
  }

  /** The fused engine with {@code batchOverhead}, named {@code winnow+overhead=N}. */
  WinnowScorer(BenchModel m, boolean fuse, int batchOverhead) {
    this(m, "winnow+overhead=" + batchOverhead, fuse, batchOverhead);
  }

  private WinnowScorer(BenchModel m, String name, boolean fuse, int batchOverhead) {
    this.name = name;
    encoder =
        OnnxCrossEncoder.open(
            ModelFolder.open(m.dir(), m.winnowVariant()),
            OnnxCrossEncoder.Options.defaults()
                .withThreads(m.threads())
                .withTokenBudget(
                    Integer.getInteger(
                        "winnow.bench.tokenBudget", OnnxCrossEncoder.Options.DEFAULT_TOKEN_BUDGET))
                .withBatchOverhead(batchOverhead)
                .withFusedKernels(fuse));
    options = ScoringOptions.DEFAULTS.withMaxLength(m.maxLength()).withActivation(Activation.RAW);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ScoredBatch score(String query, List<String> docs) {
    List<PairScore> scores = encoder.score(query, docs, options);
    float[] out = new float[scores.size()];
    int[] lengths = new int[scores.size()];
    long real = 0;
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) scores.get(i).logit();
      lengths[i] = scores.get(i).tokens();
      real += lengths[i];
    }
    // Tokens the engine fed: its own batch plan for these lengths, each batch padded.
    return new ScoredBatch(out, real, TokenBatches.paddedTokens(encoder.batches(lengths), lengths));
  }

  @Override
  public void close() {
    encoder.close();
  }
}
