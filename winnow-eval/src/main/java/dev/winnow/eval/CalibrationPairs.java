package dev.winnow.eval;

import dev.winnow.api.Hit;
import dev.winnow.api.StageScore;
import java.util.List;
import java.util.Map;

/**
 * The judged (logit, label) pairs of a run's cross-encoder: for every hit of every query, the raw
 * logit of its last cross-encoder stage and 1 when the qrels grade it above 0, else 0 (unjudged
 * documents count as not relevant, as trec_eval counts them). These are what a {@link
 * dev.winnow.pipeline.Calibration} is fitted on and what its error is measured on.
 */
public record CalibrationPairs(double[] logits, int[] labels) {

  /** The prefix of the stage names {@link dev.winnow.pipeline.CrossEncoderReranker} gives. */
  public static final String CROSS_ENCODER_STAGE = "cross-encoder:";

  public static CalibrationPairs of(Map<String, List<Hit>> run, Qrels qrels) {
    int n = 0;
    for (List<Hit> hits : run.values()) {
      n += hits.size();
    }
    double[] logits = new double[n];
    int[] labels = new int[n];
    int i = 0;
    for (Map.Entry<String, List<Hit>> e : run.entrySet()) {
      Map<String, Integer> judged = qrels.judgments(e.getKey());
      for (Hit h : e.getValue()) {
        logits[i] = crossEncoderLogit(h);
        labels[i] = judged.getOrDefault(h.id(), 0) > 0 ? 1 : 0;
        i++;
      }
    }
    return new CalibrationPairs(logits, labels);
  }

  /** The raw logit of the last cross-encoder stage that scored {@code h}. */
  public static double crossEncoderLogit(Hit h) {
    List<StageScore> stages = h.provenance().stages();
    for (int s = stages.size() - 1; s >= 0; s--) {
      if (stages.get(s).stage().startsWith(CROSS_ENCODER_STAGE)) {
        return stages.get(s).raw();
      }
    }
    throw new IllegalArgumentException(
        "hit '" + h.id() + "' was not scored by a cross-encoder; calibration needs one");
  }

  public int positives() {
    int p = 0;
    for (int l : labels) {
      p += l;
    }
    return p;
  }
}
