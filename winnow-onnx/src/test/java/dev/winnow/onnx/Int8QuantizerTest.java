package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import dev.winnow.testkit.Shared;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Int8Quantizer} on the fixtures: the int8 folder loads unchanged, its logits stay within
 * the bound ONNX Runtime's own quantizer is held to, the engine still fuses its kernels, and bad
 * input is refused with nothing written.
 */
class Int8QuantizerTest {

  @TempDir Path tmp;

  @Test
  void quantize_miniLmAllInt8_within003OfGoldensAndOfOrtQuantizer() {
    // --all-int8 quantizes what ONNX Runtime's quantize_dynamic quantizes: like for like.
    Path fixture = Shared.miniLmFixture();
    Path out = tmp.resolve("int8");
    Int8Quantizer.Result result = Int8Quantizer.quantize(fixture, out, true);

    assertThat(result.int8Bytes()).isLessThan(result.floatBytes() / 3);
    assertThat(opCounts(out))
        .containsEntry("MatMulInteger", 36)
        .containsEntry("MatMul", 12) // attention: activation x activation stays float
        .containsEntry("DequantizeLinear", 3);
    List<Goldens.Case> cases = Goldens.cases(fixture);
    double[] golden = cases.stream().mapToDouble(Goldens.Case::logit).toArray();
    double[] ours;
    double[] ort;
    try (OnnxCrossEncoder int8 = OnnxCrossEncoder.open(ModelFolder.open(out))) {
      assertThat(int8.graph()).startsWith("fused");
      ours = score(int8, cases);
    }
    try (OnnxCrossEncoder qint8 = OnnxCrossEncoder.open(ModelFolder.open(fixture, "qint8"))) {
      ort = score(qint8, cases);
    }
    double worst = 0;
    double worstOrt = 0;
    double vsOrt = 0;
    for (int i = 0; i < cases.size(); i++) {
      assertThat(ours[i]).as(cases.get(i).id()).isCloseTo(golden[i], within(0.03));
      worst = Math.max(worst, Math.abs(ours[i] - golden[i]));
      worstOrt = Math.max(worstOrt, Math.abs(ort[i] - golden[i]));
      vsOrt = Math.max(vsOrt, Math.abs(ours[i] - ort[i]));
    }
    double rho = Goldens.spearman(ours, golden);
    System.out.printf(
        "minilm-l6-ce-fixture int8 (winnow): max |logit - fp32 golden| = %.4f (ORT's"
            + " model_qint8: %.4f), max |winnow - ORT int8| = %.4f, Spearman vs fp32 = %.4f over"
            + " %d goldens; %,d -> %,d bytes%n",
        worst, worstOrt, vsOrt, rho, cases.size(), result.floatBytes(), result.int8Bytes());
    assertThat(rho).isGreaterThanOrEqualTo(0.9);
  }

  @Test
  void quantize_miniLmDefault_downProjectionsStayFp32_closerToGoldens() {
    Path fixture = Shared.miniLmFixture();
    Path out = tmp.resolve("mixed");
    Int8Quantizer.quantize(fixture, out);

    assertThat(opCounts(out)).containsEntry("MatMulInteger", 30).containsEntry("MatMul", 18);
    List<Goldens.Case> cases = Goldens.cases(fixture);
    double worst = 0;
    try (OnnxCrossEncoder mixed = OnnxCrossEncoder.open(ModelFolder.open(out))) {
      assertThat(mixed.graph()).startsWith("fused");
      double[] ours = score(mixed, cases);
      for (int i = 0; i < cases.size(); i++) {
        worst = Math.max(worst, Math.abs(ours[i] - cases.get(i).logit()));
      }
    }
    System.out.printf(
        "minilm-l6-ce-fixture int8, down-projections fp32: max |logit - fp32 golden| = %.4f%n",
        worst);
    assertThat(worst).isLessThan(0.03);
  }

  @Test
  void quantize_tiny_loadsWithConfigAndTokenizerAndStaysClose() throws Exception {
    Path fixture = Shared.tinyFixture();
    Path out = tmp.resolve("tiny-int8");
    Int8Quantizer.quantize(fixture, out);

    assertThat(out.resolve("config.json")).hasSameTextualContentAs(fixture.resolve("config.json"));
    assertThat(out.resolve("tokenizer.json")).exists();
    assertThat(out.resolve("README.md")).content().contains("## int8 dynamic quantization");
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("tiny-int8");
    }
    // The tiny fixture is a random BERT (hidden 32) whose logits span 2.5: int8 rounding moves
    // them by up to 0.12 (0.11 with the embeddings left float), 5% of that span. The MiniLM
    // test above holds the trained-size encoder to ONNX Runtime's 0.03.
    List<Goldens.Case> cases = Goldens.cases(fixture);
    double worst = 0;
    try (OnnxCrossEncoder int8 = OnnxCrossEncoder.open(ModelFolder.open(out))) {
      double[] ours = score(int8, cases);
      for (int i = 0; i < cases.size(); i++) {
        worst = Math.max(worst, Math.abs(ours[i] - cases.get(i).logit()));
        assertThat(ours[i]).as(cases.get(i).id()).isCloseTo(cases.get(i).logit(), within(0.15));
      }
    }
    System.out.printf("tiny-ce-fixture int8: max |logit - fp32 golden| = %.4f%n", worst);
  }

  @Test
  void quantize_twice_sameBytes() throws Exception {
    Path a = Int8Quantizer.quantize(Shared.tinyFixture(), tmp.resolve("a")).out();
    Path b = Int8Quantizer.quantize(Shared.tinyFixture(), tmp.resolve("b")).out();
    assertThat(Files.readAllBytes(a.resolve("onnx/model.onnx")))
        .isEqualTo(Files.readAllBytes(b.resolve("onnx/model.onnx")));
  }

  @Test
  void quantize_alreadyQuantized_refusedNamingTheOps() throws Exception {
    Path fixture = Shared.miniLmFixture();
    Path copy = modelCopy(fixture, "model_qint8.onnx");
    assertThatThrownBy(() -> Int8Quantizer.quantize(copy, tmp.resolve("out")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is already quantized")
        .hasMessageContaining("36 MatMulInteger");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void quantize_notAFolderOrNoOnnx_refused() throws Exception {
    Path file = Files.writeString(tmp.resolve("file.txt"), "x");
    assertThatThrownBy(() -> Int8Quantizer.quantize(file, tmp.resolve("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a directory");
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(empty.resolve("config.json"), "{}");
    Files.writeString(empty.resolve("tokenizer.json"), "{}");
    assertThatThrownBy(() -> Int8Quantizer.quantize(empty, tmp.resolve("b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no onnx/model.onnx");
    assertThat(tmp.resolve("a")).doesNotExist();
    assertThat(tmp.resolve("b")).doesNotExist();
  }

  @Test
  void quantize_outExistingAndNotEmpty_refused() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    assertThatThrownBy(() -> Int8Quantizer.quantize(Shared.tinyFixture(), out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--out " + out + " exists and is not empty; give a new or empty folder");
    assertThat(out.resolve("keep.txt")).hasContent("mine");
  }

  @Test
  void quantize_emptyOutFolder_isFilled() {
    Path out = tmp.resolve("empty-out");
    assertThat(out.toFile().mkdir()).isTrue();
    Int8Quantizer.quantize(Shared.tinyFixture(), out);
    assertThat(out.resolve("onnx/model.onnx")).isRegularFile();
  }

  @Test
  void quantize_failureAfterTheGraphIsWritten_leavesNothing() throws Exception {
    // A graph that parses and quantizes but that ONNX Runtime cannot load (its MatMul reads an
    // undeclared input): the check after writing onnx/model.onnx fails, and must clean up.
    Path copy = modelCopy(Shared.tinyFixture(), "model.onnx");
    byte[] weight = new byte[16 * 16 * 4];
    byte[] graph =
        OnnxProto.cat(
            OnnxProto.msg(
                1,
                OnnxProto.str(1, "x"),
                OnnxProto.str(1, "w"),
                OnnxProto.str(2, "y"),
                OnnxProto.str(4, "MatMul")),
            OnnxProto.msg(
                5,
                OnnxProto.num(1, 16),
                OnnxProto.num(1, 16),
                OnnxProto.num(2, 1),
                OnnxProto.str(8, "w"),
                OnnxProto.msg(9, weight)));
    byte[] model =
        OnnxProto.cat(
            OnnxProto.num(1, 7),
            OnnxProto.msg(7, graph),
            OnnxProto.msg(8, OnnxProto.str(1, ""), OnnxProto.num(2, 13)));
    Files.write(copy.resolve("onnx/model.onnx"), model);
    Path out = tmp.resolve("out");
    assertThatThrownBy(() -> Int8Quantizer.quantize(copy, out))
        .isInstanceOf(OnnxModelException.class)
        .hasMessageContaining("cannot load the quantized graph");
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("model");
    }
  }

  /** A model folder whose onnx/model.onnx is a copy of {@code onnxName} of {@code fixture}. */
  private Path modelCopy(Path fixture, String onnxName) throws Exception {
    Path copy = Files.createDirectories(tmp.resolve("model"));
    for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
      Files.copy(fixture.resolve(f), copy.resolve(f));
    }
    Files.createDirectories(copy.resolve("onnx"));
    Files.copy(fixture.resolve("onnx").resolve(onnxName), copy.resolve("onnx/model.onnx"));
    return copy;
  }

  private static Map<String, Integer> opCounts(Path folder) {
    try {
      OnnxGraph g = OnnxGraph.parse(Files.readAllBytes(folder.resolve("onnx/model.onnx")));
      Map<String, Integer> counts = new HashMap<>();
      g.nodes.forEach(n -> counts.merge(n.opType, 1, Integer::sum));
      return counts;
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each golden scored alone, at its own max_length. */
  private static double[] score(OnnxCrossEncoder encoder, List<Goldens.Case> cases) {
    double[] out = new double[cases.size()];
    for (int i = 0; i < cases.size(); i++) {
      Goldens.Case c = cases.get(i);
      PairScore s =
          encoder
              .scorePairs(
                  List.of(new TextPair(c.query(), c.document())),
                  ScoringOptions.DEFAULTS.withMaxLength(c.maxLength()))
              .get(0);
      out[i] = s.logit();
    }
    return out;
  }
}
