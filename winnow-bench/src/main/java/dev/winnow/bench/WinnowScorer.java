package dev.winnow.bench;

import dev.winnow.api.Activation;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import java.util.Arrays;
import java.util.List;

/**
 * Winnow's engine, {@link OnnxCrossEncoder}, as shipped: pairs sorted by length, cut into batches
 * of at most {@code tokenBudget} padded tokens, each padded to its own longest pair, fed from
 * direct buffers, transformer kernels fused ({@code winnow}) or not ({@code winnow-unfused}).
 * {@code -Dwinnow.bench.tokenBudget=N} overrides the engine's default budget.
 */
final class WinnowScorer implements PairScorerAdapter {

  private final OnnxCrossEncoder encoder;
  private final ScoringOptions options;
  private final int tokenBudget;
  private final String name;

  WinnowScorer(BenchModel m, boolean fuse) {
    name = fuse ? "winnow" : "winnow-unfused";
    tokenBudget =
        Integer.getInteger(
            "winnow.bench.tokenBudget", OnnxCrossEncoder.Options.DEFAULT_TOKEN_BUDGET);
    encoder =
        OnnxCrossEncoder.open(
            ModelFolder.open(m.dir(), m.winnowVariant()),
            OnnxCrossEncoder.Options.defaults()
                .withThreads(m.threads())
                .withTokenBudget(tokenBudget)
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
    return new ScoredBatch(out, real, paddedTokens(lengths, tokenBudget));
  }

  /**
   * Tokens the engine feeds for these pair lengths: its batching rule (longest first, a batch takes
   * pairs while size x longest fits the budget, each batch padded to its longest) applied to the
   * lengths it reported.
   */
  static long paddedTokens(int[] lengths, int tokenBudget) {
    int[] sorted = lengths.clone();
    Arrays.sort(sorted);
    long padded = 0;
    int end = sorted.length; // sorted ascending: take from the end
    while (end > 0) {
      int longest = Math.max(1, sorted[end - 1]);
      int size = Math.max(1, Math.min(end, tokenBudget / longest));
      padded += (long) size * longest;
      end -= size;
    }
    return padded;
  }

  @Override
  public void close() {
    encoder.close();
  }
}
