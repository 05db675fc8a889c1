package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import dev.winnow.api.Activation;
import dev.winnow.api.PairScore;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import dev.winnow.api.Truncation;
import dev.winnow.testkit.Shared;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The engine against tiny-ce-fixture's PyTorch goldens, plus its contract on bad input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxCrossEncoderTest {

  /** The fixture README's suggested tolerance for this tiny random model. */
  private static final double LOGIT_TOLERANCE = 1e-4;

  private Path root;
  private OnnxCrossEncoder encoder;
  private List<Goldens.Case> cases;

  @BeforeAll
  void load() {
    root = Shared.tinyFixture();
    encoder = OnnxCrossEncoder.open(ModelFolder.open(root), OnnxCrossEncoder.Options.defaults());
    cases = Goldens.cases(root);
  }

  @AfterAll
  void close() {
    if (encoder != null) {
      encoder.close();
    }
  }

  @Test
  void open_readsDefaultsFromConfig() {
    assertThat(encoder.defaultActivation()).isEqualTo(Activation.SIGMOID);
    assertThat(encoder.maxLength()).isEqualTo(512);
    assertThat(encoder.name()).isEqualTo("tiny-ce-fixture");
  }

  @Test
  void score_everyGolden_matchesPyTorchLogitAndSigmoid() {
    double worst = 0;
    double worstSigmoid = 0;
    for (Goldens.Case c : cases) {
      PairScore s =
          encoder
              .scorePairs(
                  List.of(new TextPair(c.query(), c.document())),
                  ScoringOptions.DEFAULTS.withMaxLength(c.maxLength()))
              .get(0);
      assertThat(s.logit()).as(c.id()).isCloseTo(c.logit(), within(LOGIT_TOLERANCE));
      assertThat(s.tokens()).as(c.id()).isEqualTo(c.inputIds().length);
      worst = Math.max(worst, Math.abs(s.logit() - c.logit()));
      worstSigmoid = Math.max(worstSigmoid, Math.abs(s.score() - c.sigmoid()));
    }
    System.out.printf(
        "tiny-ce-fixture fp32: max |logit - golden| = %.3g, max |sigmoid - golden| = %.3g over %d"
            + " goldens%n",
        worst, worstSigmoid, cases.size());
    assertThat(worstSigmoid).isLessThanOrEqualTo(1e-6);
  }

  @Test
  void activation_sigmoidOfGoldenLogit_isGoldenSigmoid() {
    for (Goldens.Case c : cases) {
      assertThat(Activation.SIGMOID.apply(c.logit()))
          .as(c.id())
          .isCloseTo(c.sigmoid(), within(1e-12));
    }
  }

  @Test
  void run_goldenBatch_paddedBatchEqualsSingles() throws Exception {
    Goldens.Batch batch = Goldens.batch(root);
    List<PairEncoding> rows = batchRows(batch);
    // The padded tensors Winnow builds are exactly the fixture's.
    ModelInputs inputs = ModelInputs.validate(encoderSession(), "test");
    try (ModelInputs.Tensors t = inputs.tensors(OnnxSessions.environment(), rows)) {
      Map<String, OnnxTensor> byName = t.byName();
      assertThat(((long[][]) byName.get("input_ids").getValue())).isDeepEqualTo(batch.inputIds());
      assertThat(((long[][]) byName.get("attention_mask").getValue()))
          .isDeepEqualTo(batch.attentionMask());
      assertThat(((long[][]) byName.get("token_type_ids").getValue()))
          .isDeepEqualTo(batch.tokenTypeIds());
    }
    double[] together = encoder.run(rows);
    for (int i = 0; i < rows.size(); i++) {
      double alone = encoder.run(List.of(rows.get(i)))[0];
      assertThat(together[i]).as(batch.ids().get(i)).isCloseTo(alone, within(1e-5));
      assertThat(together[i]).isCloseTo(batch.logitsBatch()[i], within(LOGIT_TOLERANCE));
      assertThat(alone).isCloseTo(batch.logitsSingle()[i], within(LOGIT_TOLERANCE));
    }
  }

  @Test
  void scorePairs_mixedLengthsInOneCall_equalOneByOne() {
    List<TextPair> pairs = new ArrayList<>();
    for (Goldens.Case c : cases) {
      if (c.maxLength() == 512) {
        pairs.add(new TextPair(c.query(), c.document()));
      }
    }
    List<PairScore> together = encoder.scorePairs(pairs, ScoringOptions.DEFAULTS);
    assertThat(together).hasSize(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      PairScore alone = encoder.scorePairs(List.of(pairs.get(i)), ScoringOptions.DEFAULTS).get(0);
      assertThat(together.get(i).logit()).isCloseTo(alone.logit(), within(1e-5));
    }
  }

  @Test
  void scorePairs_smallTokenBudget_sameScores() {
    try (OnnxCrossEncoder small =
        OnnxCrossEncoder.open(
            ModelFolder.open(root), OnnxCrossEncoder.Options.defaults().withTokenBudget(64))) {
      List<String> docs = cases.stream().limit(12).map(Goldens.Case::document).toList();
      List<PairScore> a = small.score("what is the capital of france?", docs);
      List<PairScore> b = encoder.score("what is the capital of france?", docs);
      for (int i = 0; i < docs.size(); i++) {
        assertThat(a.get(i).logit()).isCloseTo(b.get(i).logit(), within(1e-5));
      }
    }
  }

  @Test
  void scoreTokenized_equalsScorePairs() {
    Goldens.Case c = cases.get(0);
    PairTokenizer t = encoder.tokenizer();
    PairScore fromIds =
        encoder
            .scoreTokenized(
                List.of(new TokenizedPair(t.tokenize(c.query()), t.tokenize(c.document()))),
                ScoringOptions.DEFAULTS.withActivation(Activation.RAW))
            .get(0);
    assertThat(fromIds.logit()).isCloseTo(c.logit(), within(LOGIT_TOLERANCE));
    assertThat(fromIds.score()).isEqualTo(fromIds.logit());
  }

  @Test
  void rerank_ordersByScoreThenInputPosition() {
    List<String> docs = List.of(cases.get(0).document(), cases.get(1).document(), "");
    List<RankedDocument> ranked =
        encoder.rerank(
            cases.get(0).query(), List.of("a", "b", "c"), docs, 2, ScoringOptions.DEFAULTS);
    assertThat(ranked).hasSize(2);
    assertThat(ranked.get(0).score()).isGreaterThanOrEqualTo(ranked.get(1).score());
  }

  @Test
  void scorePairs_fromManyThreads_sameAsAlone() throws Exception {
    List<String> docs = cases.stream().limit(10).map(Goldens.Case::document).toList();
    List<PairScore> expected = encoder.score("capital of france", docs);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<PairScore>>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> encoder.score("capital of france", docs)));
      }
      for (Future<List<PairScore>> f : futures) {
        List<PairScore> got = f.get();
        for (int i = 0; i < docs.size(); i++) {
          assertThat(got.get(i).logit()).isCloseTo(expected.get(i).logit(), within(1e-6));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void score_emptyDocuments_isEmpty() {
    assertThat(encoder.score("a query", List.of())).isEmpty();
    assertThat(encoder.scoreTokenized(List.of(), ScoringOptions.DEFAULTS)).isEmpty();
  }

  @Test
  void score_blankQuery_isRefused() {
    assertThatThrownBy(() -> encoder.score(" \t", List.of("doc")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query must not be blank");
    assertThatThrownBy(
            () ->
                encoder.scoreTokenized(
                    List.of(new TokenizedPair(new int[0], new int[] {2000})),
                    ScoringOptions.DEFAULTS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no tokens");
  }

  @Test
  void score_megabyteDocument_isTruncatedToMaxLength() {
    String huge = "the capital of france is paris. ".repeat(33_000); // ~1 MB
    List<PairScore> s =
        encoder.score("capital of france", List.of(huge, huge.substring(0, 20_000)));
    assertThat(s.get(0).tokens()).isEqualTo(512);
    assertThat(s.get(0).logit()).isCloseTo(s.get(1).logit(), within(1e-6));
  }

  @Test
  void score_onlySecondLongQuery_namesTheProblem() {
    String longQuery = "word ".repeat(600);
    assertThatThrownBy(
            () ->
                encoder.score(
                    longQuery,
                    List.of("doc"),
                    ScoringOptions.DEFAULTS.withTruncation(Truncation.ONLY_SECOND)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only_second");
  }

  @Test
  void score_maxLengthBeyondModel_isRefused() {
    assertThatThrownBy(
            () -> encoder.score("q", List.of("d"), ScoringOptions.DEFAULTS.withMaxLength(1024)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1024");
  }

  @Test
  void open_folderWithoutTokenizer_namesTheFile(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("onnx"));
    Files.copy(root.resolve("config.json"), dir.resolve("config.json"));
    Files.copy(root.resolve("onnx/model.onnx"), dir.resolve("onnx/model.onnx"));
    assertThatThrownBy(() -> OnnxCrossEncoder.open(ModelFolder.open(dir)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokenizer.json");
  }

  @Test
  void open_truncatedOnnx_namesTheFile(@TempDir Path dir) throws IOException {
    copyFixture(dir);
    Path onnx = dir.resolve("onnx/model.onnx");
    try (RandomAccessFile f = new RandomAccessFile(onnx.toFile(), "rw")) {
      f.setLength(f.length() / 3);
    }
    int before = OnnxSessions.openSessions();
    // ModelFolder's safety check may reject the broken protobuf before ONNX Runtime sees it;
    // either way the error names the file, and says what is wrong (not "fusion failed").
    assertThatThrownBy(() -> OnnxCrossEncoder.open(ModelFolder.open(dir)))
        .isInstanceOfAny(IllegalArgumentException.class, IllegalStateException.class)
        .hasMessageContaining(dir.getFileName().toString())
        .hasMessageContaining("model.onnx")
        .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("truncated", "corrupt"));
    // ONNX Runtime's own failure becomes an OnnxModelException naming the file.
    assertThatThrownBy(() -> OnnxSessions.open(onnx, 1))
        .isInstanceOf(OnnxModelException.class)
        .hasMessageContaining(onnx.toRealPath().toString())
        .satisfies(e -> assertThat(((OnnxModelException) e).file()).endsWith("model.onnx"));
    assertThat(OnnxSessions.openSessions()).isEqualTo(before);
  }

  /** Issue 14, item 8: the graph's position table wins over a config that overstates it. */
  @Test
  void open_configOverstatingPositions_usesTheGraphsTable(@TempDir Path dir) throws IOException {
    copyFixture(dir);
    Path config = dir.resolve("config.json");
    Files.writeString(
        config,
        Files.readString(config)
            .replaceAll(
                "\"max_position_embeddings\": *\\d+", "\"max_position_embeddings\": 2000000000"));
    Path tokenizerConfig = dir.resolve("tokenizer_config.json");
    Files.writeString(
        tokenizerConfig,
        Files.readString(tokenizerConfig)
            .replaceAll(
                "\"model_max_length\": *[0-9.e+]+",
                "\"model_max_length\": 1000000000000000019884624838656"));
    try (OnnxCrossEncoder e = OnnxCrossEncoder.open(ModelFolder.open(dir))) {
      assertThat(e.maxLength()).isEqualTo(512);
      String longDocument = "word ".repeat(900);
      assertThat(e.score("q", List.of(longDocument)).get(0).logit()).isFinite();
      assertThatThrownBy(
              () ->
                  e.scorePairs(
                      List.of(new TextPair("q", longDocument)),
                      ScoringOptions.DEFAULTS.withMaxLength(1000)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("512");
    }
  }

  /** Issue 14, item 9: a directory or a FIFO named model.onnx is refused by name, at once. */
  @Test
  void open_onnxThatIsNotARegularFile_isRefusedNamingIt(@TempDir Path dir) throws Exception {
    copyFixture(dir);
    Path onnx = dir.resolve("onnx/model.onnx");
    Files.delete(onnx);
    Files.createDirectory(onnx);
    assertThatThrownBy(() -> OnnxCrossEncoder.open(ModelFolder.open(dir)))
        .hasMessageContaining("model.onnx")
        .hasMessageContaining("directory");
    Files.delete(onnx);
    Process mkfifo = new ProcessBuilder("mkfifo", onnx.toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");
    assertThatThrownBy(() -> OnnxCrossEncoder.open(ModelFolder.open(dir)))
        .hasMessageContaining("model.onnx")
        .hasMessageContaining("not a regular file");
  }

  @Test
  void open_unknownActivation_isRefusedUnlessOverridden(@TempDir Path dir) throws IOException {
    copyFixture(dir);
    Path config = dir.resolve("config.json");
    Files.writeString(
        config, Files.readString(config).replace("activation.Sigmoid", "activation.Tanh"));
    assertThatThrownBy(() -> OnnxCrossEncoder.open(ModelFolder.open(dir)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config.json")
        .hasMessageContaining("Tanh");
    try (OnnxCrossEncoder raw =
        OnnxCrossEncoder.open(
            ModelFolder.open(dir),
            OnnxCrossEncoder.Options.defaults().withDefaultActivation(Activation.RAW))) {
      assertThat(raw.defaultActivation()).isEqualTo(Activation.RAW);
    }
  }

  @Test
  void open_sameModelTwice_sharesOneSession() {
    int before = OnnxSessions.openSessions();
    try (OnnxCrossEncoder again = OnnxCrossEncoder.open(ModelFolder.open(root))) {
      assertThat(OnnxSessions.openSessions()).isEqualTo(before);
      assertThat(again.score("q", List.of("d")).get(0).logit())
          .isEqualTo(encoder.score("q", List.of("d")).get(0).logit());
    }
    assertThat(OnnxSessions.openSessions()).isEqualTo(before);
  }

  @Test
  void score_afterClose_isIllegalState() {
    OnnxCrossEncoder other =
        OnnxCrossEncoder.open(
            ModelFolder.open(root), OnnxCrossEncoder.Options.defaults().withThreads(1));
    other.close();
    other.close();
    assertThatThrownBy(() -> other.score("q", List.of("d")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  private ai.onnxruntime.OrtSession encoderSession() {
    return encoder.session();
  }

  private List<PairEncoding> batchRows(Goldens.Batch batch) {
    List<PairEncoding> rows = new ArrayList<>();
    for (String id : batch.ids()) {
      Goldens.Case c = cases.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
      rows.add(new PairEncoding(c.inputIds(), c.tokenTypeIds(), c.queryKept(), c.documentKept()));
    }
    return rows;
  }

  private void copyFixture(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path to = dir.resolve(root.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
  }
}
