package dev.winnow.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.PairList;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The baseline most code writes: tokenize all pairs with the DJL tokenizer padded to the longest,
 * build {@code long[][]} tensors and make one {@code session.run} for the whole list. Default
 * session options apart from the thread counts.
 */
final class NaiveOrtScorer implements PairScorerAdapter {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;

  NaiveOrtScorer(BenchModel model) {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(model.threads());
      options.setInterOpNumThreads(1);
      session = env.createSession(model.onnx().toString(), options);
      tokenizer =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(model.tokenizer())
              .optTruncation(true)
              .optMaxLength(model.maxLength())
              .optPadding(true)
              .build();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load " + model.onnx(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load " + model.tokenizer(), e);
    }
  }

  @Override
  public String name() {
    return "naive-ort";
  }

  @Override
  public ScoredBatch score(String query, List<String> docs) {
    if (docs.isEmpty()) {
      return new ScoredBatch(new float[0], 0, 0);
    }
    PairList<String, String> pairs = new PairList<>(docs.size());
    for (String d : docs) {
      pairs.add(query, d);
    }
    Encoding[] enc = tokenizer.batchEncode(pairs);
    long[][] ids = new long[enc.length][];
    long[][] mask = new long[enc.length][];
    long[][] types = new long[enc.length][];
    long real = 0;
    for (int i = 0; i < enc.length; i++) {
      ids[i] = enc[i].getIds();
      mask[i] = enc[i].getAttentionMask();
      types[i] = enc[i].getTypeIds();
      for (long m : mask[i]) {
        real += m;
      }
    }
    try (OnnxTensor tIds = OnnxTensor.createTensor(env, ids);
        OnnxTensor tMask = OnnxTensor.createTensor(env, mask);
        OnnxTensor tTypes = OnnxTensor.createTensor(env, types);
        OrtSession.Result result =
            session.run(
                Map.of("input_ids", tIds, "attention_mask", tMask, "token_type_ids", tTypes))) {
      float[][] logits = (float[][]) result.get(0).getValue();
      float[] out = new float[logits.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = logits[i][0];
      }
      return new ScoredBatch(out, real, (long) enc.length * ids[0].length);
    } catch (OrtException e) {
      throw new IllegalStateException("naive ONNX Runtime run failed", e);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close session", e);
    } finally {
      tokenizer.close();
    }
  }
}
