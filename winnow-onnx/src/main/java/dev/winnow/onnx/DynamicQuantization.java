package dev.winnow.onnx;

import dev.winnow.onnx.OnnxGraph.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Rewrites a float ONNX graph for int8 dynamic quantization, the graph ONNX Runtime's Python {@code
 * quantize_dynamic} writes (its QOperator format), so that ONNX Runtime's own optimiser turns each
 * quantized product into its {@code DynamicQuantizeMatMul} / {@code MatMulIntegerToFloat} kernels
 * and {@link TransformerFusion} still finds the transformer blocks around them:
 *
 * <ul>
 *   <li><b>MatMul with a constant 2-D weight</b> {@code [K, N]}, both sides at least {@link
 *       #MIN_SIDE}: {@code DynamicQuantizeLinear} on the activation (uint8, one scale per tensor,
 *       computed per call), {@code MatMulInteger} with the weight as int8, then {@code Cast} and a
 *       {@code Mul} by activation scale × weight scale. Weights are symmetric (zero point 0) with
 *       one scale per output column (per channel): a column's scale follows its own largest weight,
 *       so a column of small weights is not rounded on the grid of the largest column in the
 *       matrix, and ONNX Runtime's fused kernels take per-column scales at no extra cost. An
 *       activation read by several products (query, key and value) is quantized once.
 *   <li><b>Gather on a constant 2-D table</b> (the embeddings), when only Gathers read it: the
 *       table as uint8 with one scale and zero point, and {@code DequantizeLinear} after the
 *       lookup. This is what makes the file about a quarter of the float one; the lookup costs
 *       nothing measurable either way.
 * </ul>
 *
 * <p><b>Down-projections stay fp32 unless asked</b> ({@code downProjectionsInt8}): the feed-forward
 * output projection ({@code [K, N]} with {@code K > N}, e.g. 1536 -> 384) reads the GELU output,
 * whose few large values stretch the one per-tensor activation scale until most values round to a
 * handful of levels. On the trained SciFact MiniLM cross-encoder, quantizing them too left a mean
 * Spearman of 0.966 against fp32 over BM25 top-100 lists and cost 0.018 nDCG@10; keeping them fp32
 * gives 0.986 (see docs/results.md), for a file about 14 MB larger and a smaller speed-up.
 *
 * <p>Everything else stays float, as {@code quantize_dynamic} leaves it: attention's activation
 * products, LayerNorm, {@code Gemm} (a classification head) and products with fewer than {@link
 * #MIN_SIDE} rows or columns (a one-logit classifier), whose rounding would land on the score
 * itself for no measurable speed.
 *
 * <p>Stateless and thread-safe.
 */
final class DynamicQuantization {

  /** What a rewrite quantized and what it left float. */
  record Report(int matMuls, int gathers, int floatMatMuls, int floatDownProjections) {
    @Override
    public String toString() {
      return matMuls
          + " MatMul as int8 (DynamicQuantizeLinear + MatMulInteger), "
          + gathers
          + " Gather tables as uint8"
          + (floatDownProjections > 0
              ? ", " + floatDownProjections + " down-projections (K > N) left fp32"
              : "")
          + (floatMatMuls > 0 ? ", " + floatMatMuls + " MatMul with a small weight left fp32" : "");
    }
  }

  /** The smallest weight side worth quantizing (smaller ones are heads: they stay float). */
  static final int MIN_SIDE = 16;

  /** Ops only a quantized graph has: their presence means there is nothing left to do here. */
  private static final Set<String> QUANTIZED_OPS =
      Set.of(
          "DynamicQuantizeLinear",
          "QuantizeLinear",
          "DequantizeLinear",
          "MatMulInteger",
          "ConvInteger",
          "QLinearMatMul",
          "QLinearConv",
          "MatMulIntegerToFloat",
          "DynamicQuantizeMatMul",
          "DynamicQuantizeLSTM",
          "QAttention",
          "QGemm",
          "MatMulNBits",
          "MatMulBnb4",
          "QEmbedLayerNormalization");

  private DynamicQuantization() {}

  /**
   * Quantizes {@code g} in place.
   *
   * @throws IllegalArgumentException when the graph is already quantized, its opset is below 11, or
   *     it has no MatMul with a constant float weight
   */
  static Report apply(OnnxGraph g, boolean downProjectionsInt8) {
    Map<String, Integer> quantizedOps = new TreeMap<>();
    for (Node n : g.nodes) {
      if (QUANTIZED_OPS.contains(n.opType)) {
        quantizedOps.merge(n.opType, 1, Integer::sum);
      }
    }
    if (!quantizedOps.isEmpty()) {
      throw new IllegalArgumentException(
          "the model is already quantized (it has " + describe(quantizedOps) + ")");
    }
    int opset = g.opsetVersion("");
    if (opset < 11) {
      throw new IllegalArgumentException(
          "the model imports ONNX opset " + opset + "; int8 dynamic quantization needs >= 11");
    }
    Map<String, List<Node>> consumers = g.consumers();
    Map<String, String[]> quantizedActivations = new HashMap<>();
    Map<String, String[]> quantizedWeights = new HashMap<>();
    Map<String, String[]> quantizedTables = new HashMap<>();
    int matMuls = 0;
    int gathers = 0;
    int floatMatMuls = 0;
    int floatDown = 0;
    for (Node n : List.copyOf(g.nodes)) {
      if (n.is("MatMul") && n.inputs.size() == 2 && n.outputs.size() == 1) {
        if (!isWeight(g, n.inputs.get(1))) {
          if (g.initializers.containsKey(n.inputs.get(1))) {
            floatMatMuls++;
          }
          continue;
        }
        if (!downProjectionsInt8 && isDownProjection(g, n.inputs.get(1))) {
          floatDown++;
          continue;
        }
        String[] w = quantizedWeights.computeIfAbsent(n.inputs.get(1), name -> weight(g, name));
        String[] x =
            quantizedActivations.computeIfAbsent(n.inputs.get(0), name -> activation(g, name));
        replace(g, n, integerMatMul(g, n, x, w));
        matMuls++;
      } else if (n.is("Gather")
          && n.inputs.size() == 2
          && n.intAttribute("axis", 0) == 0
          && isTable(g, consumers, n.inputs.get(0))) {
        String[] t = quantizedTables.computeIfAbsent(n.inputs.get(0), name -> table(g, name));
        String lookedUp = g.freshName("gathered_uint8");
        replace(
            g,
            n,
            List.of(
                new Node(n.name, "Gather", "", List.of(t[0], n.inputs.get(1)), List.of(lookedUp)),
                new Node(
                    g.freshName("DequantizeLinear"),
                    "DequantizeLinear",
                    "",
                    List.of(lookedUp, t[1], t[2]),
                    List.of(n.outputs.get(0)))));
        gathers++;
      }
    }
    if (matMuls == 0) {
      throw new IllegalArgumentException(
          "the model has no MatMul with a constant float weight of at least "
              + MIN_SIDE
              + "x"
              + MIN_SIDE
              + " (the projections of a transformer); nothing to quantize");
    }
    g.removeDeadNodes();
    return new Report(matMuls, gathers, floatMatMuls, floatDown);
  }

  /** A constant float matrix with both sides at least {@link #MIN_SIDE}. */
  private static boolean isWeight(OnnxGraph g, String name) {
    ProtoMessage t = g.initializers.get(name);
    if (t == null || OnnxGraph.dataType(t) != OnnxGraph.FLOAT) {
      return false;
    }
    List<Long> dims = OnnxGraph.dims(t);
    return dims.size() == 2 && dims.get(0) >= MIN_SIDE && dims.get(1) >= MIN_SIDE;
  }

  /** A weight with more rows than columns: a feed-forward block's output projection. */
  private static boolean isDownProjection(OnnxGraph g, String name) {
    List<Long> dims = OnnxGraph.dims(g.initializers.get(name));
    return dims.get(0) > dims.get(1);
  }

  /** A constant float 2-D table that only Gathers (on axis 0, as their data) read. */
  private static boolean isTable(OnnxGraph g, Map<String, List<Node>> consumers, String name) {
    ProtoMessage t = g.initializers.get(name);
    if (t == null
        || OnnxGraph.dataType(t) != OnnxGraph.FLOAT
        || OnnxGraph.dims(t).size() != 2
        || g.graphOutputs.contains(name)) {
      return false;
    }
    for (Node reader : consumers.getOrDefault(name, List.of())) {
      if (!reader.is("Gather")
          || reader.intAttribute("axis", 0) != 0
          || reader.inputs.indexOf(name) != 0
          || reader.inputs.lastIndexOf(name) != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The int8 weight, its per-column scales and zero points (all 0): {quantized, scale, zero point}.
   */
  private static String[] weight(OnnxGraph g, String name) {
    ProtoMessage tensor = g.initializers.get(name);
    List<Long> dims = OnnxGraph.dims(tensor);
    int rows = Math.toIntExact(dims.get(0));
    int cols = Math.toIntExact(dims.get(1));
    float[] w = OnnxGraph.floats(tensor);
    float[] scales = new float[cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        scales[c] = Math.max(scales[c], Math.abs(w[r * cols + c]));
      }
    }
    for (int c = 0; c < cols; c++) {
      scales[c] = scales[c] > 0 ? scales[c] / 127f : 1f;
    }
    byte[] q = new byte[w.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        q[r * cols + c] = (byte) clamp(Math.rint(w[r * cols + c] / scales[c]), -127, 127);
      }
    }
    String[] names = names(g, name);
    g.addTensor(names[0], new long[] {rows, cols}, OnnxGraph.INT8, q);
    g.addFloats(names[1], new long[] {cols}, scales);
    g.addTensor(names[2], new long[] {cols}, OnnxGraph.INT8, new byte[cols]);
    return names;
  }

  /**
   * The table as uint8 with one scale and zero point over its range (0 included, as {@code
   * DynamicQuantizeLinear} does): {quantized, scale, zero point}.
   */
  private static String[] table(OnnxGraph g, String name) {
    ProtoMessage tensor = g.initializers.get(name);
    List<Long> dims = OnnxGraph.dims(tensor);
    float[] v = OnnxGraph.floats(tensor);
    float min = 0;
    float max = 0;
    for (float x : v) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("table " + name + " holds a non-finite value " + x);
      }
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    float scale = max > min ? (max - min) / 255f : 1f;
    int zeroPoint = (int) clamp(Math.rint(-min / scale), 0, 255);
    byte[] q = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      q[i] = (byte) clamp(Math.rint(v[i] / scale) + zeroPoint, 0, 255);
    }
    String[] names = names(g, name);
    g.addTensor(names[0], new long[] {dims.get(0), dims.get(1)}, OnnxGraph.UINT8, q);
    g.addFloats(names[1], new long[0], new float[] {scale});
    g.addTensor(names[2], new long[0], OnnxGraph.UINT8, new byte[] {(byte) zeroPoint});
    return names;
  }

  /** {@code DynamicQuantizeLinear} of an activation: {quantized, scale, zero point}. */
  private static String[] activation(OnnxGraph g, String value) {
    String[] names = {
      g.freshName("quantized"), g.freshName("quantized_scale"), g.freshName("quantized_zero_point")
    };
    g.nodes.add(
        new Node(
            g.freshName("DynamicQuantizeLinear"),
            "DynamicQuantizeLinear",
            "",
            List.of(value),
            List.of(names)));
    return names;
  }

  /** {@code Mul(Cast(MatMulInteger(x, w)), x_scale * w_scale)}, ending in the MatMul's output. */
  private static List<Node> integerMatMul(OnnxGraph g, Node matMul, String[] x, String[] w) {
    String product = g.freshName("matmul_int32");
    String asFloat = g.freshName("matmul_float");
    String scale = g.freshName("matmul_scale");
    return List.of(
        new Node(g.freshName("MatMulScale"), "Mul", "", List.of(x[1], w[1]), List.of(scale)),
        new Node(
            matMul.name, "MatMulInteger", "", List.of(x[0], w[0], x[2], w[2]), List.of(product)),
        new Node(g.freshName("Cast"), "Cast", "", List.of(product), List.of(asFloat))
            .withInt("to", OnnxGraph.FLOAT),
        new Node(
            g.freshName("MatMulDequantize"),
            "Mul",
            "",
            List.of(asFloat, scale),
            List.of(matMul.outputs.get(0))));
  }

  private static void replace(OnnxGraph g, Node old, List<Node> with) {
    int at = g.nodes.indexOf(old);
    g.nodes.remove(at);
    g.nodes.addAll(at, with);
  }

  /** Fresh names for a quantized initializer, its scale and its zero point. */
  private static String[] names(OnnxGraph g, String name) {
    return new String[] {
      g.freshName(name + "_quantized"),
      g.freshName(name + "_scale"),
      g.freshName(name + "_zero_point")
    };
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static String describe(Map<String, Integer> counts) {
    List<String> parts = new ArrayList<>();
    counts.forEach((op, n) -> parts.add(n + " " + op));
    return String.join(", ", parts);
  }
}
