package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.TokenVectors;
import dev.winnow.testkit.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fidelity of the late-interaction engine against {@code tiny-colbert-fixture/golden.jsonl} (an
 * independent PyTorch reference): token ids and masks identical, normalised vectors within 1e-5,
 * MaxSim within 1e-4, for texts encoded alone, in the engine's own batches and in one padded batch,
 * with the fused and the exported graph, and with both MaxSim kernels.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxLateInteractionTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double VECTOR_TOLERANCE = 1e-5;
  private static final double MAXSIM_TOLERANCE = 1e-4;

  record Golden(String id, String text, long[] ids, long[] mask, float[][] vectors) {}

  private Path fixture;
  private final Map<String, Golden> queries = new LinkedHashMap<>();
  private final Map<String, Golden> documents = new LinkedHashMap<>();
  private final Map<String, Double> scores = new LinkedHashMap<>();
  private OnnxLateInteraction fused;
  private OnnxLateInteraction plain;

  @BeforeAll
  void load() throws IOException {
    fixture = Shared.require("models/tiny-colbert-fixture");
    for (String line : Files.readAllLines(fixture.resolve("golden.jsonl"))) {
      JsonNode n = JSON.readTree(line);
      switch (n.get("kind").asText()) {
        case "query" -> queries.put(n.get("id").asText(), golden(n, "attention_mask"));
        case "document" -> documents.put(n.get("id").asText(), golden(n, "kept"));
        case "score" ->
            scores.put(
                n.get("query").asText() + "/" + n.get("document").asText(),
                n.get("maxsim").asDouble());
        default -> throw new IllegalStateException("unknown golden kind in " + line);
      }
    }
    assertThat(queries).hasSize(10);
    assertThat(documents).hasSize(12);
    assertThat(scores).hasSize(120);
    fused = OnnxLateInteraction.open(fixture, OnnxLateInteraction.Options.of("tiny-colbert"));
    plain =
        OnnxLateInteraction.open(
            fixture, OnnxLateInteraction.Options.of("tiny-colbert").withFusedKernels(false));
  }

  @AfterAll
  void close() {
    if (fused != null) {
      fused.close();
    }
    if (plain != null) {
      plain.close();
    }
  }

  private static Golden golden(JsonNode n, String maskField) {
    JsonNode e = n.get("embeddings");
    float[][] vectors = new float[e.size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = new float[e.get(i).size()];
      for (int j = 0; j < vectors[i].length; j++) {
        vectors[i][j] = (float) e.get(i).get(j).asDouble();
      }
    }
    return new Golden(
        n.get("id").asText(),
        n.get("text").asText(),
        longs(n.get("input_ids")),
        longs(n.get(maskField)),
        vectors);
  }

  private static long[] longs(JsonNode a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asLong();
    }
    return out;
  }

  private static List<String> texts(Map<String, Golden> g) {
    return g.values().stream().map(Golden::text).toList();
  }

  @Test
  void settings_areReadFromArtifactMetadata() {
    ColbertSettings s = fused.settings();
    assertThat(s)
        .isEqualTo(new ColbertSettings("[unused0]", "[unused1]", 32, 180, 32, true, false));
    assertThat(fused.dimension()).isEqualTo(32);
    assertThat(fused.graph()).startsWith("fused (");
    assertThat(plain.graph()).isEqualTo("original (fusion off)");
  }

  @Test
  void tokenIds_andMasks_matchTheReference() {
    List<OnnxLateInteraction.Row> q = fused.rows(texts(queries), true);
    int i = 0;
    for (Golden g : queries.values()) {
      OnnxLateInteraction.Row r = q.get(i++);
      assertThat(r.encoding().inputIds()).as(g.id()).containsExactly(g.ids());
      long attended = java.util.Arrays.stream(g.mask()).sum();
      assertThat(r.attended()).as(g.id()).isEqualTo((int) attended);
    }
    List<OnnxLateInteraction.Row> d = fused.rows(texts(documents), false);
    i = 0;
    for (Golden g : documents.values()) {
      OnnxLateInteraction.Row r = d.get(i++);
      assertThat(r.encoding().inputIds()).as(g.id()).containsExactly(g.ids());
      assertThat(r.attended()).isEqualTo(g.ids().length);
      for (int t = 0; t < g.mask().length; t++) {
        assertThat(r.kept()[t]).as(g.id() + " token " + t).isEqualTo(g.mask()[t] == 1);
      }
    }
  }

  @Test
  void vectors_matchTheReference_aloneInOwnBatchesAndPadded() {
    for (OnnxLateInteraction engine : List.of(fused, plain)) {
      for (boolean query : List.of(true, false)) {
        Map<String, Golden> golden = query ? queries : documents;
        List<String> texts = texts(golden);
        List<TokenVectors> batched =
            query ? engine.encodeQueries(texts) : engine.encodeDocuments(texts);
        List<TokenVectors> padded = engine.encodeAsOneBatch(texts, query);
        int i = 0;
        for (Golden g : golden.values()) {
          String what = engine.graph() + " " + g.id();
          List<TokenVectors> alone =
              query
                  ? engine.encodeQueries(List.of(g.text()))
                  : engine.encodeDocuments(List.of(g.text()));
          assertClose(alone.get(0), g.vectors(), what + " alone");
          assertClose(batched.get(i), g.vectors(), what + " in the engine's batches");
          assertClose(padded.get(i), g.vectors(), what + " in one padded batch");
          i++;
        }
      }
    }
  }

  @Test
  void maxSim_matchesTheReference_withBothKernels() {
    List<TokenVectors> q = fused.encodeQueries(texts(queries));
    List<TokenVectors> d = fused.encodeAsOneBatch(texts(documents), false);
    List<String> qIds = List.copyOf(queries.keySet());
    List<String> dIds = List.copyOf(documents.keySet());
    int checked = 0;
    for (MaxSim.Kernel kernel : MaxSim.Kernel.values()) {
      for (int j = 0; j < d.size(); j++) {
        MaxSim.Document doc = MaxSim.prepare(d.get(j));
        for (int i = 0; i < q.size(); i++) {
          double expected = scores.get(qIds.get(i) + "/" + dIds.get(j));
          assertThat(MaxSim.score(q.get(i), doc, kernel))
              .as("%s %s/%s", kernel, qIds.get(i), dIds.get(j))
              .isCloseTo(expected, org.assertj.core.api.Assertions.within(MAXSIM_TOLERANCE));
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(240);
    assertThat(MaxSim.defaultKernel()).isEqualTo(MaxSim.Kernel.VECTOR);
  }

  @Test
  void tokens_nameTheVocabularyStrings() {
    TokenVectors q = fused.encodeQueries(List.of("what is the capital of france?")).get(0);
    assertThat(q.tokens().subList(0, 4)).containsExactly("[CLS]", "[unused0]", "what", "is");
    assertThat(q.tokens().get(31)).isEqualTo("[MASK]");
    TokenVectors d = fused.encodeDocuments(List.of("Paris, France.")).get(0);
    assertThat(d.tokens()).containsExactly("[CLS]", "[unused1]", "paris", "france", "[SEP]");
  }

  @Test
  void open_unknownLayout_listsWhatItFound() {
    Path ce = Shared.tinyFixture();
    assertThatThrownBy(() -> OnnxLateInteraction.open(ce))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a late-interaction checkpoint Winnow knows")
        .hasMessageContaining("artifact.metadata")
        .hasMessageContaining(
            "Found: README.md, config.json, golden.jsonl, golden_batch.json, onnx/");
  }

  @Test
  void open_pyLateLayout_isNamedAndRefused(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("config_sentence_transformers.json"),
        "{\"query_prefix\": \"[Q] \", \"document_prefix\": \"[D] \"}");
    Files.createDirectory(dir.resolve("1_Dense"));
    assertThat(ColbertSettings.isLateInteraction(dir)).isTrue();
    assertThatThrownBy(() -> OnnxLateInteraction.open(dir))
        .hasMessageContaining("looks like a PyLate checkpoint")
        .hasMessageContaining("Found: 1_Dense/, config_sentence_transformers.json");
  }

  @Test
  void open_dimensionDiffersFromTheGraph_namesBoth(@TempDir Path dir) throws IOException {
    Path copy = copyFixture(dir);
    Path metadata = copy.resolve(ColbertSettings.METADATA);
    Files.writeString(metadata, Files.readString(metadata).replace("\"dim\": 32", "\"dim\": 128"));
    assertThatThrownBy(() -> OnnxLateInteraction.open(copy))
        .hasMessageContaining("has 32 dimensions but artifact.metadata says dim 128");
  }

  @Test
  void open_badMetadataValue_namesFieldAndValue(@TempDir Path dir) throws IOException {
    Path copy = copyFixture(dir);
    Path metadata = copy.resolve(ColbertSettings.METADATA);
    Files.writeString(
        metadata,
        Files.readString(metadata).replace("\"query_maxlen\": 32", "\"query_maxlen\": \"long\""));
    assertThatThrownBy(() -> OnnxLateInteraction.open(copy))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query_maxlen must be an integer, got \"long\"");
  }

  /** A writable copy of the fixture (4 MB; a link would be refused by ModelSafety). */
  private Path copyFixture(Path dir) throws IOException {
    Path copy = dir.resolve("colbert");
    Files.createDirectories(copy.resolve("onnx"));
    try (Stream<Path> files = Files.list(fixture)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, copy.resolve(f.getFileName().toString()));
        }
      }
    }
    Files.copy(fixture.resolve("onnx/model.onnx"), copy.resolve("onnx/model.onnx"));
    return copy;
  }

  private static void assertClose(TokenVectors actual, float[][] expected, String what) {
    assertThat(actual.count()).as(what + " token count").isEqualTo(expected.length);
    double worst = 0;
    List<String> where = new ArrayList<>();
    for (int t = 0; t < expected.length; t++) {
      for (int j = 0; j < expected[t].length; j++) {
        double diff = Math.abs(actual.values()[t * actual.dimension() + j] - expected[t][j]);
        if (diff > worst) {
          worst = diff;
          where = List.of("token " + t + " dim " + j);
        }
      }
    }
    assertThat(worst).as(what + " worst |diff| at " + where).isLessThanOrEqualTo(VECTOR_TOLERANCE);
  }
}
