package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import dev.winnow.testkit.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel fusion: the protobuf layer rewrites nothing it does not mean to, both fixtures are
 * fused into the expected kernels, the fused graph keeps the PyTorch goldens, and a rewrite the
 * probe disagrees with is never served.
 */
class TransformerFusionTest {

  @Test
  void protobufRoundTrip_isByteIdentical() throws Exception {
    for (String file : List.of("onnx/model.onnx", "onnx/model_qint8.onnx")) {
      byte[] original = Files.readAllBytes(Shared.miniLmFixture().resolve(file));
      assertThat(ProtoMessage.parse(original).toBytes()).as(file).isEqualTo(original);
    }
  }

  @Test
  void graphRoundTrip_withoutRewrite_keepsEveryNodeAndInitializer() throws Exception {
    byte[] original = Files.readAllBytes(Shared.tinyFixture().resolve("onnx/model.onnx"));
    OnnxGraph graph = OnnxGraph.parse(original);
    OnnxGraph again = OnnxGraph.parse(graph.toBytes());
    assertThat(again.nodes).hasSameSizeAs(graph.nodes);
    assertThat(again.initializers.keySet()).isEqualTo(graph.initializers.keySet());
    assertThat(again.graphInputs).isEqualTo(graph.graphInputs);
    assertThat(again.graphOutputs).isEqualTo(graph.graphOutputs);
  }

  /**
   * Each fused attention is an {@code If} whose branches read q, k and v from the enclosing graph.
   * Those reads must count as dependencies after a serialization round trip, or the projections
   * would look unread and be dropped as dead, and the sort could place them after the {@code If}.
   */
  @Test
  void attentionBranches_keepWhatTheyRead_acrossARoundTrip(@TempDir Path work) throws Exception {
    OnnxSessions.Rewrite rewrite =
        OnnxSessions.rewrite(Shared.tinyFixture().resolve("onnx/model.onnx"), work).orElseThrow();
    assertThat(rewrite.report().attentions()).isEqualTo(2);

    OnnxGraph again = OnnxGraph.parse(Files.readAllBytes(rewrite.file()));
    List<OnnxGraph.Node> choices = again.nodes.stream().filter(n -> n.is("If")).toList();
    Set<String> defined = new HashSet<>(again.producers().keySet());
    defined.addAll(again.initializers.keySet());
    assertThat(choices).hasSize(2);
    for (OnnxGraph.Node choice : choices) {
      assertThat(choice.attribute("then_branch")).isPresent();
      assertThat(choice.attribute("else_branch")).isPresent();
      // q, k, v, the packed bias and the key lengths, none of them listed as the node's inputs
      assertThat(choice.implicitInputs).hasSize(5).doesNotContainAnyElementsOf(choice.inputs);
      assertThat(defined).containsAll(choice.implicitInputs);
    }
    int before = again.nodes.size();
    again.removeDeadNodes();
    assertThat(again.nodes).hasSize(before);
    byte[] twice = again.toBytes();
    assertThat(OnnxGraph.parse(twice).nodes).hasSize(before);
  }

  @Test
  void miniLm_fp32_isFusedAndKeepsEveryGolden() {
    Path root = Shared.miniLmFixture();
    List<Goldens.Case> cases = Goldens.cases(root);
    try (OnnxCrossEncoder fused = OnnxCrossEncoder.open(ModelFolder.open(root));
        OnnxCrossEncoder plain =
            OnnxCrossEncoder.open(
                ModelFolder.open(root),
                OnnxCrossEncoder.Options.defaults().withFusedKernels(false))) {
      assertThat(fused.graph())
          .isEqualTo("fused (12 SkipLayerNormalization, 6 MultiHeadAttention)");
      assertThat(plain.graph()).isEqualTo("original (fusion off)");
      double worst = 0;
      for (Goldens.Case c : cases) {
        List<TextPair> pair = List.of(new TextPair(c.query(), c.document()));
        ScoringOptions options = ScoringOptions.DEFAULTS.withMaxLength(c.maxLength());
        double a = fused.scorePairs(pair, options).get(0).logit();
        double b = plain.scorePairs(pair, options).get(0).logit();
        assertThat(a).as(c.id()).isCloseTo(c.logit(), within(1e-5));
        assertThat(b).as(c.id()).isCloseTo(c.logit(), within(1e-5));
        worst = Math.max(worst, Math.abs(a - b));
      }
      System.out.printf(
          "minilm fp32: max |fused - unfused| = %.3g over %d goldens%n", worst, cases.size());
    }
  }

  @Test
  void miniLm_qint8_andTiny_areFused() {
    try (OnnxCrossEncoder q =
            OnnxCrossEncoder.open(ModelFolder.open(Shared.miniLmFixture(), "qint8"));
        OnnxCrossEncoder tiny = OnnxCrossEncoder.open(ModelFolder.open(Shared.tinyFixture()))) {
      assertThat(q.graph()).isEqualTo("fused (12 SkipLayerNormalization, 6 MultiHeadAttention)");
      assertThat(tiny.graph()).isEqualTo("fused (4 SkipLayerNormalization, 2 MultiHeadAttention)");
    }
  }

  @Test
  void probeDisagreement_servesTheOriginalGraph() {
    Path onnx = Shared.tinyFixture().resolve("onnx/model.onnx");
    AtomicInteger calls = new AtomicInteger();
    // The first run (the original graph) answers 0, the second (the fused one) 1: they differ.
    OnnxSessions.Probe liar = session -> new float[] {calls.getAndIncrement()};
    try (OnnxSessions.Lease lease = OnnxSessions.open(onnx, 1, Optional.of(liar))) {
      assertThat(lease.graph())
          .startsWith("original (the fused graph's outputs differ from the original's by 1.0");
      assertThat(calls.get()).isEqualTo(2);
    }
  }

  @Test
  void probeFailure_servesTheOriginalGraph() {
    Path onnx = Shared.tinyFixture().resolve("onnx/model.onnx");
    AtomicInteger calls = new AtomicInteger();
    OnnxSessions.Probe failing =
        session -> {
          if (calls.getAndIncrement() == 1) {
            throw new IllegalStateException("boom");
          }
          return new float[] {0};
        };
    try (OnnxSessions.Lease lease = OnnxSessions.open(onnx, 1, Optional.of(failing))) {
      assertThat(lease.graph()).isEqualTo("original (the fused graph failed: boom)");
    }
  }
}
