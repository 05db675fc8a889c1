package dev.winnow.bench;

import java.util.Objects;

/**
 * Raw logits of one call and, when the implementation can say, the tokens the model really read
 * ({@code realTokens}) and the tokens it was fed including padding ({@code paddedTokens}); {@code
 * -1} for either when the implementation does not expose it (the harness then derives it from its
 * own tokenization and the implementation's known batching rule).
 */
public record ScoredBatch(float[] logits, long realTokens, long paddedTokens) {

  public ScoredBatch {
    Objects.requireNonNull(logits, "logits");
    for (int i = 0; i < logits.length; i++) {
      if (!Float.isFinite(logits[i])) {
        throw new IllegalStateException("logit " + i + " is not finite: " + logits[i]);
      }
    }
  }

  public static ScoredBatch logitsOnly(float[] logits) {
    return new ScoredBatch(logits, -1, -1);
  }
}
