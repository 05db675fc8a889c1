package dev.winnow.pipeline;

import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.onnx.TokenizedPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link OnnxCrossEncoder}'s tokenizer and pre-tokenized scoring as a {@link PassageScorer}, so
 * {@link CrossEncoderReranker} can cut documents into windows in the model's own token space.
 * Thread-safe, like the encoder.
 */
public final class OnnxPassages implements PassageScorer {

  private final OnnxCrossEncoder encoder;

  public OnnxPassages(OnnxCrossEncoder encoder) {
    this.encoder = Objects.requireNonNull(encoder, "encoder");
  }

  @Override
  public int[] tokenize(String text) {
    return encoder.tokenizer().tokenize(text);
  }

  @Override
  public List<int[]> tokenize(List<String> texts, int maxTokens) {
    return encoder.tokenizer().tokenize(texts, maxTokens);
  }

  @Override
  public int pairSpecialTokens() {
    return encoder.tokenizer().pairSpecialTokens();
  }

  @Override
  public List<PairScore> scoreTokenized(List<TokenPair> pairs, ScoringOptions options) {
    List<TokenizedPair> tp = new ArrayList<>(pairs.size());
    for (TokenPair p : pairs) {
      tp.add(new TokenizedPair(p.query(), p.document()));
    }
    return encoder.scoreTokenized(tp, options);
  }
}
