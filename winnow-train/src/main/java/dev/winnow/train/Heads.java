package dev.winnow.train;

import dev.winnow.onnx.TrainableGraph.Op;
import dev.winnow.onnx.TrainableGraph.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The classification head a bi-encoder base gets to become a cross-encoder: BERT's pooler ({@code
 * tanh} of a dense layer over the first token) and a one-logit classifier, initialised as BERT does
 * (normal, standard deviation 0.02, zero biases) from a seed.
 */
final class Heads {

  /** The prefix of every value and weight the head adds to a graph. */
  static final String PREFIX = "winnow_head/";

  /**
   * The output the head computes: {@code logits}, {@code [batch, 1]}, as cross-encoders name it.
   */
  static final String LOGITS = "logits";

  record Head(List<Op> ops, Map<String, Tensor> weights) {}

  private Heads() {}

  static Head classification(String hiddenStates, int hidden, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Tensor> w = new LinkedHashMap<>();
    w.put(
        PREFIX + "first_token",
        Tensor.ofLongs(PREFIX + "first_token", new long[0], new long[] {0}));
    w.put(
        PREFIX + "pooler.weight",
        Tensor.ofFloats(
            PREFIX + "pooler.weight",
            new long[] {hidden, hidden},
            normal(random, hidden * hidden)));
    w.put(
        PREFIX + "pooler.bias",
        Tensor.ofFloats(PREFIX + "pooler.bias", new long[] {hidden}, new float[hidden]));
    w.put(
        PREFIX + "classifier.weight",
        Tensor.ofFloats(
            PREFIX + "classifier.weight", new long[] {hidden, 1}, normal(random, hidden)));
    w.put(
        PREFIX + "classifier.bias",
        Tensor.ofFloats(PREFIX + "classifier.bias", new long[] {1}, new float[1]));
    List<Op> ops =
        List.of(
            op("Gather", List.of(hiddenStates, PREFIX + "first_token"), "cls", Map.of("axis", 1L)),
            op("MatMul", List.of(PREFIX + "cls", PREFIX + "pooler.weight"), "pooler_mm", Map.of()),
            op(
                "Add",
                List.of(PREFIX + "pooler_mm", PREFIX + "pooler.bias"),
                "pooler_add",
                Map.of()),
            op("Tanh", List.of(PREFIX + "pooler_add"), "pooled", Map.of()),
            op(
                "MatMul",
                List.of(PREFIX + "pooled", PREFIX + "classifier.weight"),
                "classifier_mm",
                Map.of()),
            new Op(
                PREFIX + "classifier_add",
                "Add",
                "",
                List.of(PREFIX + "classifier_mm", PREFIX + "classifier.bias"),
                List.of(LOGITS),
                Map.of()));
    return new Head(ops, w);
  }

  private static Op op(String type, List<String> inputs, String out, Map<String, Object> attrs) {
    return new Op(PREFIX + out, type, "", inputs, List.of(PREFIX + out), attrs);
  }

  private static float[] normal(SplittableRandom random, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i += 2) {
      // Box-Muller: two standard normals from two uniforms
      double u1 = 1 - random.nextDouble();
      double u2 = random.nextDouble();
      double r = Math.sqrt(-2 * Math.log(u1));
      out[i] = (float) (0.02 * r * Math.cos(2 * Math.PI * u2));
      if (i + 1 < n) {
        out[i + 1] = (float) (0.02 * r * Math.sin(2 * Math.PI * u2));
      }
    }
    return out;
  }
}
