package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The bundled bi-encoders: published values for MiniLM, sanity for BGE, batching invariance. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxBiEncoderTest {

  private OnnxBiEncoder miniLm;
  private OnnxBiEncoder bge;

  @BeforeAll
  void load() {
    miniLm = BundledEncoders.miniLm();
    bge = BundledEncoders.bgeSmall();
  }

  @AfterAll
  void close() {
    if (miniLm != null) {
      miniLm.close();
    }
    if (bge != null) {
      bge.close();
    }
  }

  @Test
  void miniLm_exampleSentence_matchesPublishedEmbedding() {
    float[] v = miniLm.encodeDocuments(List.of("This is an example sentence"))[0];
    assertThat(v).hasSize(384);
    double[] published = {0.0676569, 0.0634960, 0.0487131, 0.0793049, 0.0374480};
    for (int i = 0; i < published.length; i++) {
      assertThat((double) v[i]).as("component %d", i).isCloseTo(published[i], within(1e-5));
    }
    assertThat(norm(v)).isCloseTo(1.0, within(1e-5));
    assertThat(miniLm.dimension()).isEqualTo(384);
    assertThat(miniLm.maxLength()).isEqualTo(256);
  }

  /**
   * Both bundled encoders run fused, and serve what their exported graphs serve: MiniLM (fp32) to
   * float rounding; bge-small (int8) within the noise of its dynamic quantization, whose activation
   * scales are chosen per batch tensor (the same texts embedded in other batches move as much: see
   * docs/performance.md).
   */
  @Test
  void bundledEncoders_areFused_andAgreeWithTheirExportedGraphs() {
    List<String> texts =
        List.of(
            "This is an example sentence",
            "Interferons are signalling proteins released by infected cells.",
            "Fever.");
    try (OnnxBiEncoder plainMiniLm = BundledEncoders.miniLm(2, false);
        OnnxBiEncoder plainBge = BundledEncoders.bgeSmall(2, false)) {
      assertThat(miniLm.graph())
          .isEqualTo("fused (12 SkipLayerNormalization, 6 MultiHeadAttention)");
      assertThat(bge.graph()).isEqualTo("fused (24 SkipLayerNormalization, 12 MultiHeadAttention)");
      assertThat(plainBge.graph()).isEqualTo("original (fusion off)");
      float[][] a = miniLm.encodeDocuments(texts);
      float[][] b = plainMiniLm.encodeDocuments(texts);
      float[][] c = bge.encodeDocuments(texts);
      float[][] d = plainBge.encodeDocuments(texts);
      for (int i = 0; i < texts.size(); i++) {
        for (int j = 0; j < a[i].length; j++) {
          assertThat(a[i][j]).isCloseTo(b[i][j], within(1e-5f));
        }
        assertThat(dot(c[i], d[i])).as(texts.get(i)).isGreaterThan(0.995);
      }
    }
  }

  @Test
  void miniLm_batchOfMixedLengths_equalsOneByOne() {
    List<String> texts =
        List.of(
            "short",
            "This is an example sentence",
            "A considerably longer sentence that needs several more word pieces than the others do.",
            "");
    float[][] together = miniLm.encodeDocuments(texts);
    for (int i = 0; i < texts.size(); i++) {
      float[] alone = miniLm.encodeDocuments(List.of(texts.get(i)))[0];
      for (int j = 0; j < alone.length; j++) {
        assertThat(together[i][j]).isCloseTo(alone[j], within(1e-5f));
      }
    }
  }

  @Test
  void bge_unitNormAndRelevantPairScoresHigher() {
    float[] q = bge.encodeQueries(List.of("what is the capital of france?"))[0];
    float[][] d =
        bge.encodeDocuments(
            List.of(
                "Paris is the capital and most populous city of France.",
                "The mitochondrion is the powerhouse of the cell."));
    assertThat(bge.dimension()).isEqualTo(384);
    assertThat(norm(q)).isCloseTo(1.0, within(1e-5));
    assertThat(norm(d[0])).isCloseTo(1.0, within(1e-5));
    double relevant = dot(q, d[0]);
    double irrelevant = dot(q, d[1]);
    System.out.printf(
        "bge-small: cos(relevant) = %.4f, cos(irrelevant) = %.4f%n", relevant, irrelevant);
    assertThat(relevant).isGreaterThan(irrelevant + 0.1);
  }

  @Test
  void bge_queryPrefixChangesQueriesOnly() {
    String text = "capital of france";
    float[] asQuery = bge.encodeQueries(List.of(text))[0];
    float[] asDocument = bge.encodeDocuments(List.of(text))[0];
    assertThat(dot(asQuery, asDocument)).isLessThan(0.9999);
  }

  @Test
  void encode_emptyList_isEmpty() {
    assertThat(bge.encodeDocuments(List.of())).isEmpty();
  }

  @Test
  void encode_megabyteText_isTruncated() {
    float[] v = miniLm.encodeDocuments(List.of("lorem ipsum dolor ".repeat(60_000)))[0];
    assertThat(norm(v)).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void open_modelFolder_equalsBundled(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("onnx"));
    copyResource("bge-small-en-v1.5-q.onnx", dir.resolve("onnx/model.onnx"));
    copyResource("bge-small-en-v1.5-q-tokenizer.json", dir.resolve("tokenizer.json"));
    Files.writeString(
        dir.resolve("config.json"), "{\"model_type\": \"bert\", \"max_position_embeddings\": 512}");
    OnnxBiEncoder.Options options =
        OnnxBiEncoder.Options.of("bge-folder", OnnxBiEncoder.Pooling.CLS)
            .withQueryPrefix(BundledEncoders.BGE_QUERY_PREFIX);
    try (OnnxBiEncoder folder = OnnxBiEncoder.open(ModelFolder.open(dir), options)) {
      assertThat(folder.maxLength()).isEqualTo(512);
      List<String> q = List.of("what is the capital of france?");
      assertThat(folder.encodeQueries(q)[0]).containsExactly(bge.encodeQueries(q)[0]);
    }
  }

  private static void copyResource(String name, Path to) throws IOException {
    try (InputStream in = OnnxBiEncoderTest.class.getClassLoader().getResourceAsStream(name)) {
      Files.copy(in, to);
    }
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  static double norm(float[] a) {
    return Math.sqrt(dot(a, a));
  }
}
