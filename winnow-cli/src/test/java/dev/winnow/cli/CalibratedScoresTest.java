package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.index.WinnowIndex;
import dev.winnow.pipeline.Calibration;
import dev.winnow.testkit.Shared;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --scores calibrated}, {@code --min-score} and fused rerank stages end to end. */
class CalibratedScoresTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Winnow.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** {@code winnow rerank} of the tiny fixture over {@code docs(dir)}, with more arguments. */
  private static Run rerank(Path dir, String... more) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "rerank",
                "--model",
                Shared.tinyFixture().toString(),
                "--query",
                "capital of france",
                "--docs",
                docs(dir).toString()));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  /** An isotonic calibration over the tiny fixture's logit range, written where the test says. */
  private static Calibration write(Path file) {
    Calibration c =
        new Calibration(
            Calibration.Method.ISOTONIC,
            new Calibration.Platt(2, -1),
            new Calibration.Isotonic(
                new double[] {-2, -0.5, 0.5, 2}, new double[] {0, 0.2, 0.6, 1}),
            8,
            3,
            "hand-written for a test");
    c.write(file);
    return c;
  }

  private static Path docs(Path dir) throws Exception {
    Path file = dir.resolve("docs.txt");
    Files.writeString(
        file,
        "Paris is the capital of France.\nBerlin is in Germany.\nThe Eiffel Tower is in Paris.\n"
            + "Bananas are yellow.\n");
    return file;
  }

  @Test
  void rerank_scoresCalibrated_printsTheCalibrationOfEachLogit_inLogitOrder(@TempDir Path dir)
      throws Exception {
    Calibration c = write(dir.resolve("cal.json"));
    Run r =
        rerank(
            dir,
            "--scores",
            "calibrated",
            "--calibration",
            dir.resolve("cal.json").toString(),
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode results = JSON.readTree(r.out()).get("results");
    assertThat(results).hasSize(4);
    double previousLogit = Double.POSITIVE_INFINITY;
    for (JsonNode n : results) {
      double logit = n.get("logit").asDouble();
      assertThat(logit).isLessThanOrEqualTo(previousLogit);
      previousLogit = logit;
      assertThat(n.get("score").asDouble()).isEqualTo(c.apply(logit));
    }

    // --min-score keeps exactly the documents at or above it.
    double threshold = results.get(1).get("score").asDouble();
    Run kept =
        rerank(
            dir,
            "--calibration",
            dir.resolve("cal.json").toString(),
            "--min-score",
            Double.toString(threshold),
            "--scores",
            "calibrated",
            "--json");
    assertThat(kept.code()).as(kept.err()).isZero();
    long expected = 0;
    for (JsonNode n : results) {
      expected += n.get("score").asDouble() >= threshold ? 1 : 0;
    }
    assertThat(JSON.readTree(kept.out()).get("results")).hasSize((int) expected);
  }

  @Test
  void rerank_modelWithoutCalibration_namesTheFile(@TempDir Path dir) throws Exception {
    Path fixture = Shared.tinyFixture();
    Run r = rerank(dir, "--scores", "calibrated");
    assertThat(r.code()).isNotZero();
    assertThat(r.err())
        .contains("no calibration at " + fixture.resolve("calibration.json"))
        .contains("winnow models calibrate");
  }

  @Test
  void rerank_badCalibrationFile_isRefusedNamingFileAndField(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("calibration.json");
    Files.writeString(
        bad,
        "{\"method\": \"isotonic\", \"platt\": {\"a\": 1, \"b\": 0},"
            + " \"isotonic\": {\"x\": [0, 1], \"y\": [0.9, 0.1]}}");
    Run r = rerank(dir, "--min-score", "0.5", "--calibration", bad.toString());
    assertThat(r.code()).isNotZero();
    assertThat(r.err())
        .contains("calibration file " + bad + " is refused")
        .contains("isotonic.y must be non-decreasing");
    Run outOfRange = rerank(dir, "--min-score", "1.5");
    assertThat(outOfRange.err()).contains("--min-score must be a probability in [0, 1], got 1.5");
  }

  @Test
  void search_fusedAndCalibrated_explanationEqualsTheScore(@TempDir Path dir) throws Exception {
    Path idx = dir.resolve("idx");
    try (WinnowIndex index = WinnowIndex.open(idx)) {
      index.ingest(DemoCommand.corpus().iterator(), Optional.empty(), 64, n -> {});
    }
    Calibration c = write(dir.resolve("cal.json"));
    Run r =
        run(
            "search",
            "--index",
            idx.toString(),
            "--query",
            "yeast bread",
            "--k",
            "10",
            "--top-n",
            "5",
            "--rerank",
            "cross-encoder:" + Shared.tinyFixture(),
            "--rerank-fusion",
            "linear:0.6",
            "--scores",
            "calibrated",
            "--calibration",
            dir.resolve("cal.json").toString(),
            "--explain",
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode hits = JSON.readTree(r.out()).get("hits");
    assertThat(hits).hasSize(3); // the demo corpus holds three documents matching the query
    for (JsonNode h : hits) {
      String e = h.get("explanation").asText();
      assertThat(e).contains("fused: linear 0.6000·minmax(earlier ");
      double last = Double.parseDouble(e.substring(e.lastIndexOf("score = ") + 8).trim());
      assertThat(last).isEqualTo(h.get("score").asDouble());
      JsonNode stage = h.get("provenance").get("stages").get(0);
      JsonNode fusion = stage.get("fusion");
      assertThat(fusion.get("weight").asDouble()).isEqualTo(0.6);
      assertThat(
              0.6 * fusion.get("earlier_normalized").asDouble()
                  + 0.4 * fusion.get("stage_normalized").asDouble())
          .isEqualTo(h.get("score").asDouble());
      assertThat(h.get("probability").asDouble()).isEqualTo(c.apply(stage.get("raw").asDouble()));
    }
  }
}
