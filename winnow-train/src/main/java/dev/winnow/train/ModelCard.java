package dev.winnow.train;

import java.util.List;
import java.util.Map;

/** The README.md of a trained model: base, data, recipe, seed, validation curve, the command. */
final class ModelCard {

  private ModelCard() {}

  static String write(
      String base,
      CrossEncoderTrainer.Options o,
      TrainingData data,
      double firstStageNdcg,
      double bestNdcg,
      int bestStep,
      double exportDiff,
      List<Map<String, Object>> curve) {
    StringBuilder b = new StringBuilder();
    b.append("# Cross-encoder trained by `winnow train cross-encoder`\n\n");
    b.append("- **Base:** `").append(base).append("`");
    b.append(" (a bi-encoder base gets a fresh pooler + one-logit classifier, seeded)\n");
    b.append("- **Data:** `")
        .append(o.dataset())
        .append("`, split `")
        .append(o.split())
        .append("` only: ")
        .append(data.fit().size())
        .append(" queries to fit, ")
        .append(data.validation().size())
        .append(" held back by seed for validation (ids in `train_log.json`); ")
        .append(data.skippedWithoutPositives())
        .append(" queries without a positive judgment skipped. No test split was read.\n");
    b.append("- **Negatives:** Winnow's ")
        .append(o.firstStage())
        .append(" top ")
        .append(o.depth())
        .append(" per query, judged positives removed, ")
        .append(o.negatives())
        .append(" sampled per group, fresh each epoch.\n");
    b.append("- **Recipe:** listwise softmax cross-entropy over groups of 1 positive + ")
        .append(o.negatives())
        .append(" negatives (localized contrastive estimation), AdamW lr ")
        .append(o.lr())
        .append(" (weight decay ")
        .append(o.weightDecay())
        .append(", none on biases and normalisation weights), ")
        .append(Math.round(o.warmup() * 100))
        .append(" % linear warm-up then linear decay, gradient clipping at ")
        .append(o.maxGradNorm())
        .append(", dropout from the base's config, max length ")
        .append(o.maxLength())
        .append(", ")
        .append(o.epochs())
        .append(" epochs, seed ")
        .append(o.seed())
        .append(". Engine: libtorch through DJL's PyTorch engine.\n");
    b.append(
        String.format(
            "- **Selection:** best validation nDCG@10 of reranking the first stage's top %d:"
                + " **%.4f** at step %d (first stage alone: %.4f).%n",
            o.validationDepth(), bestNdcg, bestStep, firstStageNdcg));
    b.append(
        String.format(
            "- **Export:** `onnx/model.onnx`, the trained graph op for op; it reproduces the"
                + " training engine's logits within %.1e on validation pairs.%n%n",
            exportDiff));
    b.append(
        "## Validation curve\n\n| epoch | step | loss | validation nDCG@10 |\n| --- | --- | --- | --- |\n");
    for (Map<String, Object> p : curve) {
      b.append(
          String.format(
              "| %s | %s | %.4f | %.4f |%n",
              p.get("epoch"),
              p.get("step"),
              ((Number) p.get("loss")).doubleValue(),
              ((Number) p.get("validation_ndcg@10")).doubleValue()));
    }
    b.append("\n## Test figures\n\nNot measured by the trainer (it never reads a test split); see");
    b.append(" Winnow's `docs/results.md` for the figures of models it ships.\n\n");
    b.append("## The command\n\n```\n./winnow train cross-encoder --base ")
        .append(base)
        .append(" --dataset ")
        .append(o.dataset())
        .append(" --split ")
        .append(o.split())
        .append(" --out ")
        .append(o.out())
        .append(" --first-stage ")
        .append(o.firstStage())
        .append(" --depth ")
        .append(o.depth())
        .append(" --negatives ")
        .append(o.negatives())
        .append(" --epochs ")
        .append(o.epochs())
        .append(" --lr ")
        .append(o.lr())
        .append(" --max-length ")
        .append(o.maxLength())
        .append(" --validation-fraction ")
        .append(o.validationFraction())
        .append(" --validation-depth ")
        .append(o.validationDepth())
        .append(" --seed ")
        .append(o.seed())
        .append("\n```\n");
    return b.toString();
  }
}
