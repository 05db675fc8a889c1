package dev.winnow.onnx;

import static dev.winnow.onnx.OnnxProto.cat;
import static dev.winnow.onnx.OnnxProto.msg;
import static dev.winnow.onnx.OnnxProto.num;
import static dev.winnow.onnx.OnnxProto.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link DynamicQuantization} on a hand-built graph of the shape a plain torch export of a
 * classifier has: {@code MatMul} + {@code Add} bias, then a one-column {@code MatMul} head.
 */
class DynamicQuantizationTest {

  private static final int HIDDEN = 32;

  @Test
  void apply_projectionQuantized_oneColumnHeadStaysFloat_outputsClose() throws Exception {
    Random random = new Random(7);
    byte[] model = model(random);
    OnnxGraph g = OnnxGraph.parse(model);

    DynamicQuantization.Report report = DynamicQuantization.apply(g, false);

    assertThat(report.matMuls()).isEqualTo(1);
    assertThat(report.floatMatMuls()).isEqualTo(1);
    assertThat(ops(g))
        .containsEntry("DynamicQuantizeLinear", 1)
        .containsEntry("MatMulInteger", 1)
        .containsEntry("MatMul", 1)
        .containsEntry("Add", 1);
    assertThat(g.initializers).doesNotContainKey("w1"); // the float weight is gone

    float[][] x = new float[4][HIDDEN];
    for (float[] row : x) {
      for (int i = 0; i < HIDDEN; i++) {
        row[i] = (float) random.nextGaussian();
      }
    }
    float[] before = run(model, x);
    float[] after = run(g.toBytes(), x);
    double spread = 0;
    double worst = 0;
    for (int i = 0; i < before.length; i++) {
      spread = Math.max(spread, Math.abs(before[i]));
      worst = Math.max(worst, Math.abs(before[i] - after[i]));
    }
    assertThat(worst).isLessThan(0.02 * spread).isGreaterThan(0); // rounded, but close
  }

  @Test
  void apply_quantizedTwice_refused() {
    OnnxGraph g = OnnxGraph.parse(model(new Random(1)));
    DynamicQuantization.apply(g, false);
    OnnxGraph again = OnnxGraph.parse(g.toBytes());
    assertThatThrownBy(() -> DynamicQuantization.apply(again, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the model is already quantized (it has 1 DynamicQuantizeLinear, 1 MatMulInteger)");
  }

  @Test
  void apply_noWeights_refused() {
    byte[] graph = node("Add", List.of("a", "b"), "c");
    OnnxGraph g = OnnxGraph.parse(cat(num(1, 7), msg(7, graph), msg(8, str(1, ""), num(2, 13))));
    assertThatThrownBy(() -> DynamicQuantization.apply(g, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nothing to quantize");
  }

  /** y = MatMul(MatMul(x, w1) + b1, w2): x float [batch, 32], w2 [32, 1]. */
  private static byte[] model(Random random) {
    byte[] graph =
        cat(
            node("MatMul", List.of("x", "w1"), "h"),
            node("Add", List.of("h", "b1"), "hb"),
            node("MatMul", List.of("hb", "w2"), "y"),
            msg(5, tensor("w1", random, HIDDEN, HIDDEN)),
            msg(5, tensor("b1", random, HIDDEN)),
            msg(5, tensor("w2", random, HIDDEN, 1)),
            msg(11, valueInfo("x", HIDDEN)),
            msg(12, valueInfo("y", 1)));
    return cat(num(1, 7), msg(7, graph), msg(8, str(1, ""), num(2, 13)));
  }

  private static byte[] node(String op, List<String> inputs, String output) {
    List<byte[]> parts = new ArrayList<>();
    inputs.forEach(i -> parts.add(str(1, i)));
    parts.add(str(2, output));
    parts.add(str(3, op + "_" + output));
    parts.add(str(4, op));
    return msg(1, cat(parts.toArray(new byte[0][])));
  }

  private static byte[] tensor(String name, Random random, int... dims) {
    int n = 1;
    List<byte[]> parts = new ArrayList<>();
    for (int d : dims) {
      parts.add(num(1, d));
      n *= d;
    }
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat((float) (random.nextGaussian() * 0.2));
    }
    parts.add(num(2, OnnxGraph.FLOAT));
    parts.add(str(8, name));
    parts.add(msg(9, b.array()));
    return cat(parts.toArray(new byte[0][]));
  }

  /** A float [batch, width] value: ValueInfoProto{name, type{tensor_type{elem_type, shape}}}. */
  private static byte[] valueInfo(String name, int width) {
    byte[] shape = cat(msg(1, str(2, "batch")), msg(1, num(1, width)));
    return cat(str(1, name), msg(2, msg(1, num(1, OnnxGraph.FLOAT), msg(2, shape))));
  }

  private static float[] run(byte[] model, float[][] x) throws Exception {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = OnnxSessions.environment().createSession(model, options);
        OnnxTensor in = OnnxTensor.createTensor(OnnxSessions.environment(), x);
        OrtSession.Result result = session.run(Map.of("x", in))) {
      float[][] y = (float[][]) result.get(0).getValue();
      float[] out = new float[y.length];
      for (int i = 0; i < y.length; i++) {
        out[i] = y[i][0];
      }
      return out;
    }
  }

  private static Map<String, Integer> ops(OnnxGraph g) {
    Map<String, Integer> counts = new HashMap<>();
    g.nodes.forEach(n -> counts.merge(n.opType, 1, Integer::sum));
    return counts;
  }
}
