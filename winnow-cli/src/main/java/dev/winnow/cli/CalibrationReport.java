package dev.winnow.cli;

import dev.winnow.eval.CalibrationPairs;
import dev.winnow.pipeline.Calibration;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Expected calibration error (15 equal-width bins) of a cross-encoder's pairs three ways: the raw
 * sigmoid of the logit, Platt scaling and isotonic regression; optionally with the reliability
 * diagram.
 */
final class CalibrationReport {

  private CalibrationReport() {}

  static void print(
      PrintWriter out, CalibrationPairs pairs, Calibration c, String what, Optional<Path> diagram) {
    double[] logits = pairs.logits();
    double[] sigmoid = new double[logits.length];
    double[] platt = new double[logits.length];
    double[] isotonic = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      sigmoid[i] = 1 / (1 + Math.exp(-logits[i]));
      platt[i] = c.apply(Calibration.Method.PLATT, logits[i]);
      isotonic[i] = c.apply(Calibration.Method.ISOTONIC, logits[i]);
    }
    Map<String, double[]> byMethod = new LinkedHashMap<>();
    byMethod.put("raw sigmoid", sigmoid);
    byMethod.put("platt", platt);
    byMethod.put("isotonic", isotonic);
    List<ReliabilityDiagram.Curve> curves = ReliabilityDiagram.curves(byMethod, pairs.labels());
    out.printf(
        Locale.ROOT,
        "expected calibration error, 15 bins, %s: %,d pairs, %,d relevant%n",
        what,
        logits.length,
        pairs.positives());
    for (ReliabilityDiagram.Curve curve : curves) {
      out.printf(Locale.ROOT, "  %-12s %.4f%n", curve.label(), curve.ece());
    }
    if (diagram.isPresent()) {
      for (Path p : ReliabilityDiagram.write(diagram.get(), "Reliability: " + what, curves)) {
        out.println("diagram   " + p);
      }
    }
  }
}
