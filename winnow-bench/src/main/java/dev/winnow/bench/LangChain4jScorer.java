package dev.winnow.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.onnx.OnnxScoringModel;
import java.util.ArrayList;
import java.util.List;

/**
 * langchain4j's {@code OnnxScoringModel} (raw logits: {@code normalize=false}). It tokenizes every
 * pair with DJL, pads all of them to the longest and makes one {@code session.run}.
 *
 * <p>langchain4j 1.17.2-beta27 gives its tokenizer {@code modelMaxLength = maxLength - 2} (asked
 * for 512 it cuts pairs to 510 tokens, specials included), so this adapter asks for {@code
 * maxLength + 2}: every implementation must read the same tokens.
 */
final class LangChain4jScorer implements PairScorerAdapter {

  private final OnnxScoringModel model;

  LangChain4jScorer(BenchModel m) {
    try {
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(m.threads());
      options.setInterOpNumThreads(1);
      // langchain4j keeps (and closes) the options with the session.
      model =
          new OnnxScoringModel(
              m.onnx().toString(), options, m.tokenizer().toString(), m.maxLength() + 2, false);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot configure session for " + m.onnx(), e);
    }
  }

  @Override
  public String name() {
    return "langchain4j";
  }

  @Override
  public ScoredBatch score(String query, List<String> docs) {
    if (docs.isEmpty()) {
      return new ScoredBatch(new float[0], 0, 0);
    }
    List<TextSegment> segments = new ArrayList<>(docs.size());
    for (String d : docs) {
      segments.add(TextSegment.from(d));
    }
    Response<List<Double>> r = model.scoreAll(segments, query);
    float[] out = new float[docs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = r.content().get(i).floatValue();
    }
    return ScoredBatch.logitsOnly(out);
  }

  @Override
  public void close() {
    model.close();
  }
}
