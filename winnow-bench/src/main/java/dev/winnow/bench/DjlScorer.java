package dev.winnow.bench;

import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.translator.CrossEncoderTranslator;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ai.djl.util.StringPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * DJL with its ONNX Runtime engine and {@code CrossEncoderTranslator} (token types included, no
 * sigmoid): {@code batchPredict} tokenizes all pairs padded to the longest and runs them as one
 * batch.
 */
final class DjlScorer implements PairScorerAdapter {

  private final HuggingFaceTokenizer tokenizer;
  private final ZooModel<StringPair, float[]> model;
  private final Predictor<StringPair, float[]> predictor;

  DjlScorer(BenchModel m) {
    try {
      tokenizer =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(m.tokenizer())
              .optTruncation(true)
              .optMaxLength(m.maxLength())
              .optPadding(true)
              .build();
      CrossEncoderTranslator translator =
          CrossEncoderTranslator.builder(tokenizer)
              .optIncludeTokenTypes(true)
              .optSigmoid(false)
              .build();
      model =
          Criteria.builder()
              .setTypes(StringPair.class, float[].class)
              .optModelPath(m.onnx().getParent())
              .optModelName(m.onnxStem())
              .optEngine("OnnxRuntime")
              .optTranslator(translator)
              .optOption("intraOpNumThreads", Integer.toString(m.threads()))
              .optOption("interOpNumThreads", "1")
              .build()
              .loadModel();
      predictor = model.newPredictor();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load " + m.dir(), e);
    } catch (ModelNotFoundException | MalformedModelException e) {
      throw new IllegalStateException("DJL cannot load " + m.onnx(), e);
    }
  }

  @Override
  public String name() {
    return "djl";
  }

  @Override
  public ScoredBatch score(String query, List<String> docs) {
    if (docs.isEmpty()) {
      return new ScoredBatch(new float[0], 0, 0);
    }
    List<StringPair> pairs = new ArrayList<>(docs.size());
    for (String d : docs) {
      pairs.add(new StringPair(query, d));
    }
    try {
      List<float[]> r = predictor.batchPredict(pairs);
      float[] out = new float[r.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = r.get(i)[0];
      }
      return ScoredBatch.logitsOnly(out);
    } catch (TranslateException e) {
      throw new IllegalStateException("DJL batchPredict failed", e);
    }
  }

  @Override
  public void close() {
    predictor.close();
    model.close();
    tokenizer.close();
  }
}
