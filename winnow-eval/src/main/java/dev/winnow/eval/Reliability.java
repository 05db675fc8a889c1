package dev.winnow.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * How well probabilities match outcomes: predictions are put in equal-width bins of [0, 1] (the
 * last bin closed), and the expected calibration error is {@code sum over bins of (n_b / N) *
 * |accuracy_b - confidence_b|} (Guo et al. 2017; Naeini et al. 2015), where confidence is the mean
 * predicted probability of the bin and accuracy the fraction of its pairs that are relevant.
 */
public final class Reliability {

  /** The bin count of Guo et al. and of the reports here. */
  public static final int DEFAULT_BINS = 15;

  /** One bin: its bounds, how many predictions fell in it, their mean probability and accuracy. */
  public record Bin(double lower, double upper, int count, double confidence, double accuracy) {}

  private Reliability() {}

  /** The bins of {@code probabilities} against 0/1 {@code labels} (empty bins included). */
  public static List<Bin> bins(double[] probabilities, int[] labels, int bins) {
    if (bins < 1) {
      throw new IllegalArgumentException("bins must be >= 1, got " + bins);
    }
    if (probabilities.length != labels.length) {
      throw new IllegalArgumentException(
          "probabilities and labels must be of equal length, got "
              + probabilities.length
              + " and "
              + labels.length);
    }
    int[] count = new int[bins];
    double[] conf = new double[bins];
    double[] acc = new double[bins];
    for (int i = 0; i < probabilities.length; i++) {
      double p = probabilities[i];
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("probabilities[" + i + "] must be in [0, 1], got " + p);
      }
      if (labels[i] != 0 && labels[i] != 1) {
        throw new IllegalArgumentException("labels[" + i + "] must be 0 or 1, got " + labels[i]);
      }
      int b = Math.min(bins - 1, (int) (p * bins));
      count[b]++;
      conf[b] += p;
      acc[b] += labels[i];
    }
    List<Bin> out = new ArrayList<>(bins);
    for (int b = 0; b < bins; b++) {
      int n = count[b];
      out.add(
          new Bin(
              (double) b / bins,
              (double) (b + 1) / bins,
              n,
              n == 0 ? 0 : conf[b] / n,
              n == 0 ? 0 : acc[b] / n));
    }
    return out;
  }

  /** The expected calibration error over {@code bins} equal-width bins. */
  public static double expectedCalibrationError(double[] probabilities, int[] labels, int bins) {
    if (probabilities.length == 0) {
      throw new IllegalArgumentException("expected calibration error needs predictions, got none");
    }
    double ece = 0;
    for (Bin b : bins(probabilities, labels, bins)) {
      ece += (double) b.count() / probabilities.length * Math.abs(b.accuracy() - b.confidence());
    }
    return ece;
  }
}
