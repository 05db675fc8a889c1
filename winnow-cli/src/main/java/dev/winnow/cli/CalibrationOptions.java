package dev.winnow.cli;

import dev.winnow.api.Hit;
import dev.winnow.eval.CalibrationPairs;
import dev.winnow.onnx.hub.ModelResolver;
import dev.winnow.pipeline.Calibration;
import dev.winnow.pipeline.CascadeSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Calibrated scores on the command line (a picocli mixin of {@code search} and {@code rerank}):
 * where the calibration comes from ({@code --calibration FILE}, else {@code calibration.json} in
 * the model folder) and the abstain threshold {@code --min-score}.
 */
final class CalibrationOptions {

  @Option(
      names = "--calibration",
      paramLabel = "FILE",
      description =
          "Calibration for --scores calibrated and --min-score (default: calibration.json in the"
              + " cross-encoder's folder; fit one with winnow models calibrate).")
  Path file;

  @Option(
      names = "--min-score",
      paramLabel = "P",
      description =
          "Abstain: drop hits whose calibrated probability of relevance is below P (in [0, 1]);"
              + " uses the calibration as --scores calibrated does.")
  Double minScore;

  /** Whether calibrated probabilities are needed: asked for, or implied by {@code --min-score}. */
  boolean needed(boolean calibratedScores) {
    if (minScore != null && !(minScore >= 0 && minScore <= 1)) {
      throw new IllegalArgumentException(
          "--min-score must be a probability in [0, 1], got " + minScore);
    }
    return calibratedScores || minScore != null;
  }

  /**
   * The calibration of the model in {@code modelFolder}, or the one {@code --calibration} names.
   */
  Calibration load(Path modelFolder) {
    return Calibration.read(file != null ? file : Calibration.fileOf(modelFolder));
  }

  /**
   * The model of {@code cascade}'s last cross-encoder stage, whose logits calibrated scores read;
   * {@code flags} (the options that need it) name the refusal when there is none.
   */
  static String lastCrossEncoder(CascadeSpec cascade, String flags) {
    List<CascadeSpec.RerankSpec> ce =
        cascade.rerank().stream()
            .filter(x -> x.kind() == CascadeSpec.RerankSpec.Kind.CROSS_ENCODER)
            .toList();
    if (ce.isEmpty()) {
      throw new IllegalArgumentException(
          flags + " need a cross-encoder stage (--rerank cross-encoder:MODEL)");
    }
    return ce.get(ce.size() - 1).model();
  }

  /**
   * The calibration of {@code cascade}'s last cross-encoder stage: {@code file} when given, else
   * {@code calibration.json} in that model's folder.
   */
  static Calibration forCascade(CascadeSpec cascade, Path file, String flags) {
    String model = lastCrossEncoder(cascade, flags);
    return Calibration.read(
        file != null
            ? file
            : Calibration.fileOf(
                ModelResolver.fromEnvironment()
                    .resolve(model, cascade.crossEncoder().variant())
                    .root()));
  }

  /** The hits whose probability (by {@code calibration}) is at least {@code --min-score}. */
  List<Hit> keep(List<Hit> hits, Optional<Calibration> calibration) {
    if (minScore == null || calibration.isEmpty()) {
      return hits;
    }
    List<Hit> out = new ArrayList<>();
    for (Hit h : hits) {
      if (probability(h, calibration.get()) >= minScore) {
        out.add(h);
      }
    }
    return out;
  }

  static double probability(Hit h, Calibration c) {
    return c.apply(CalibrationPairs.crossEncoderLogit(h));
  }
}
