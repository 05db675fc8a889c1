package dev.winnow.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.testkit.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short training run on the tiny fixture over a separable toy set: the loss falls, validation
 * improves, the exported ONNX reproduces the training engine, and a run interrupted after its first
 * epoch resumes to the very weights of an uninterrupted one.
 */
class CrossEncoderTrainerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String[] TOPICS = {
    "volcano", "glacier", "protein", "vaccine", "satellite", "battery", "enzyme", "tsunami",
    "insulin", "neutron", "orchid", "bacteria", "galaxy", "diamond", "migraine", "coral"
  };

  /** A corpus where each query's positive names its topic twice; negatives name other topics. */
  static Path toyDataset(Path dir) throws Exception {
    Files.createDirectories(dir.resolve("qrels"));
    List<String> corpus = new ArrayList<>();
    List<String> queries = new ArrayList<>();
    List<String> qrels = new ArrayList<>(List.of("query-id\tcorpus-id\tscore"));
    for (int i = 0; i < TOPICS.length; i++) {
      String t = TOPICS[i];
      String other = TOPICS[(i + 1) % TOPICS.length];
      corpus.add(doc("p" + i, t + " " + t + " is studied here with care"));
      corpus.add(doc("n" + i, "a study of " + t + " and " + other + " with little care"));
      corpus.add(doc("m" + i, other + " studied here, " + t + " mentioned once"));
      queries.add("{\"_id\":\"q" + i + "\",\"text\":\"what is known about " + t + "\"}");
      qrels.add("q" + i + "\tp" + i + "\t1");
    }
    Files.write(dir.resolve("corpus.jsonl"), corpus);
    Files.write(dir.resolve("queries.jsonl"), queries);
    Files.write(dir.resolve("qrels").resolve("train.tsv"), qrels);
    return dir;
  }

  private static String doc(String id, String text) {
    return "{\"_id\":\"" + id + "\",\"title\":\"\",\"text\":\"" + text + "\"}";
  }

  static CrossEncoderTrainer.Options options(Path data, Path out, double epochs) {
    return options(Shared.tinyFixture().toString(), data, "train", out, epochs);
  }

  static CrossEncoderTrainer.Options options(
      String base, Path data, String split, Path out, double epochs) {
    return new CrossEncoderTrainer.Options(
        base, data, split, out, "bm25", 10, 3, epochs, 2e-3, 64, 0.25, 10, 7, 0.1, 0.01, 1.0, 1, 0);
  }

  static class Recorded implements CrossEncoderTrainer.Listener {
    final List<Double> losses = new ArrayList<>();
    final List<String> lines = new ArrayList<>();

    @Override
    public void log(String line) {
      lines.add(line);
    }

    @Override
    public void progress(long step, long totalSteps, double loss, double pairsPerSecond) {
      losses.add(loss);
    }
  }

  @Test
  void train_lossFalls_exportMatches_resumeGivesTheSameWeights(@TempDir Path tmp) throws Exception {
    Path data = toyDataset(tmp.resolve("toy"));
    Recorded full = new Recorded();
    CrossEncoderTrainer.Result result =
        CrossEncoderTrainer.run(options(data, tmp.resolve("full"), 8), full);

    JsonNode log = JSON.readTree(tmp.resolve("full/train_log.json").toFile());
    JsonNode curve = log.get("curve");
    assertThat(curve).hasSize(8);
    // seed 7, 8 epochs: 1.38 in epoch 1, 1.11 in epoch 8; chance for 1 + 3 documents is ln 4 = 1.39
    double first = curve.get(0).get("loss").asDouble();
    double last = curve.get(7).get("loss").asDouble();
    assertThat(last).isLessThan(first).isLessThan(0.9 * Math.log(4));
    assertThat(result.exportMaxDiff()).isLessThanOrEqualTo(CrossEncoderTrainer.EXPORT_TOLERANCE);
    assertThat(tmp.resolve("full.partial")).doesNotExist();
    assertThat(tmp.resolve("full/README.md")).content().contains("winnow train cross-encoder");
    assertThat(tmp.resolve("full/calibration.json")).content().contains("isotonic");

    // Interrupted after epoch 1 (at the first step of epoch 2), then resumed with the same options.
    Path out = tmp.resolve("resumed");
    long perEpoch = full.losses.size() / 8;
    CrossEncoderTrainer.Listener interrupting =
        new Recorded() {
          @Override
          public void progress(long step, long totalSteps, double loss, double pairsPerSecond) {
            if (step > perEpoch) {
              throw new IllegalStateException("interrupted");
            }
          }
        };
    assertThatThrownBy(() -> CrossEncoderTrainer.run(options(data, out, 8), interrupting))
        .hasMessage("interrupted");
    assertThat(out).doesNotExist();
    Recorded resumed = new Recorded();
    CrossEncoderTrainer.run(options(data, out, 8), resumed);
    assertThat(resumed.lines).anyMatch(l -> l.startsWith("resuming from"));

    List<TextPair> pairs =
        List.of(
            new TextPair("what is known about volcano", "volcano volcano is studied here"),
            new TextPair("what is known about coral", "a study of coral and volcano"));
    try (OnnxCrossEncoder a = OnnxCrossEncoder.open(ModelFolder.open(tmp.resolve("full")));
        OnnxCrossEncoder b = OnnxCrossEncoder.open(ModelFolder.open(out))) {
      var sa = a.scorePairs(pairs, ScoringOptions.DEFAULTS);
      var sb = b.scorePairs(pairs, ScoringOptions.DEFAULTS);
      for (int i = 0; i < pairs.size(); i++) {
        assertThat(sb.get(i).logit()).isEqualTo(sa.get(i).logit());
      }
    }
  }

  @Test
  void badInput_oneLineErrors_nothingWritten(@TempDir Path tmp) throws Exception {
    Path data = toyDataset(tmp.resolve("toy"));
    Path out = tmp.resolve("out");
    Recorded r = new Recorded();
    assertThatThrownBy(
            () ->
                CrossEncoderTrainer.run(
                    options(Shared.tinyFixture().toString(), data, "test", out, 1), r))
        .hasMessageContaining("--split test");
    assertThatThrownBy(
            () ->
                CrossEncoderTrainer.run(
                    options(Shared.tinyFixture().toString(), data, "dev", out, 1), r))
        .hasMessageContaining("has no split 'dev'");
    Path roberta = tmp.resolve("roberta");
    Files.createDirectories(roberta.resolve("onnx"));
    Path tiny = Shared.tinyFixture();
    Files.copy(tiny.resolve("tokenizer.json"), roberta.resolve("tokenizer.json"));
    Files.copy(tiny.resolve("onnx/model.onnx"), roberta.resolve("onnx/model.onnx"));
    Files.writeString(
        roberta.resolve("config.json"),
        Files.readString(tiny.resolve("config.json")).replace("\"bert\"", "\"roberta\""));
    assertThatThrownBy(
            () -> CrossEncoderTrainer.run(options(roberta.toString(), data, "train", out, 1), r))
        .hasMessageContaining("architecture 'roberta' is not supported");
    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "mine");
    assertThatThrownBy(() -> CrossEncoderTrainer.run(options(data, out, 1), r))
        .hasMessageContaining("exists and is not empty");
    assertThat(out.resolve("keep.txt")).hasContent("mine");
  }
}
