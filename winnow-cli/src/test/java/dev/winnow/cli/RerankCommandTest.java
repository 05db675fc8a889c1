package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.testkit.Shared;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RerankCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String QUERY = "what is the capital of france?";

  /** Runs the CLI; returns exit code, stdout, stderr. */
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

  @Test
  void rerank_rawJson_reproducesGoldenLogitsBestFirst(@TempDir Path dir) throws Exception {
    Path fixture = Shared.tinyFixture();
    // The goldens sharing this query at max_length 512: c01, c02, c25 (empty), c26 (blank).
    Map<String, JsonNode> goldens = new HashMap<>();
    StringBuilder docs = new StringBuilder();
    for (String line : Files.readAllLines(fixture.resolve("golden.jsonl"))) {
      JsonNode g = JSON.readTree(line);
      if (g.get("query").asText().equals(QUERY) && g.get("max_length").asInt() == 512) {
        goldens.put(g.get("id").asText(), g);
        docs.append(
                JSON.writeValueAsString(
                    Map.of("id", g.get("id").asText(), "text", g.get("document").asText())))
            .append('\n');
      }
    }
    assertThat(goldens).containsOnlyKeys("c01", "c02", "c25", "c26");
    Path file = dir.resolve("docs.jsonl");
    Files.writeString(file, docs);

    Run r =
        run(
            "rerank",
            "--model",
            fixture.toString(),
            "--query",
            QUERY,
            "--docs",
            file.toString(),
            "--scores",
            "raw",
            "--json",
            "--threads",
            "1");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode results = JSON.readTree(r.out()).get("results");
    assertThat(results).hasSize(4);
    double previous = Double.POSITIVE_INFINITY;
    for (JsonNode res : results) {
      JsonNode g = goldens.get(res.get("id").asText());
      assertThat(res.get("logit").asDouble()).isCloseTo(g.get("logit").asDouble(), within(1e-4));
      assertThat(res.get("score").asDouble()).isEqualTo(res.get("logit").asDouble());
      assertThat(res.get("score").asDouble()).isLessThanOrEqualTo(previous);
      previous = res.get("score").asDouble();
    }
    assertThat(results.get(0).get("index").asInt())
        .isEqualTo(List.of("c01", "c02", "c25", "c26").indexOf(results.get(0).get("id").asText()));
  }

  @Test
  void rerank_plainTextTopN_printsTable(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("docs.txt");
    Files.writeString(file, "Paris is the capital of France.\nMitochondria power the cell.\n");
    Run r =
        run(
            "rerank",
            "--model",
            Shared.tinyFixture().toString(),
            "--query",
            QUERY,
            "--docs",
            file.toString(),
            "--top-n",
            "1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("rank").contains("score").hasLineCount(2);
  }

  @Test
  void rerank_malformedJsonl_namesFileAndLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("docs.jsonl");
    Files.writeString(file, "{\"id\": \"a\", \"text\": \"ok\"}\n{\"id\": \"b\", \"text\": \n");
    Run r =
        run(
            "rerank",
            "--model",
            Shared.tinyFixture().toString(),
            "--query",
            QUERY,
            "--docs",
            file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("winnow: ").contains(file.toString()).contains("line 2");
  }

  @Test
  void rerank_blankLine_namesFileAndLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("docs.txt");
    Files.writeString(file, "one\n\nthree\n");
    Run r =
        run(
            "rerank",
            "--model",
            Shared.tinyFixture().toString(),
            "--query",
            QUERY,
            "--docs",
            file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(file.toString()).contains("line 2 is blank");
  }

  @Test
  void rerank_badTruncation_namesAllowedValues(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("docs.txt");
    Files.writeString(file, "one\n");
    Run r =
        run(
            "rerank",
            "--model",
            Shared.tinyFixture().toString(),
            "--query",
            QUERY,
            "--docs",
            file.toString(),
            "--truncation",
            "middle");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("longest_first, only_second").contains("middle");
  }

  /** The late-interaction fixture's query q01 against every golden document. */
  @Test
  void rerank_lateInteraction_printsMaxSimAsLogit_bestFirst(@TempDir Path dir) throws Exception {
    Path fixture = Shared.require("models/tiny-colbert-fixture");
    Map<String, Double> expected = new HashMap<>();
    StringBuilder docs = new StringBuilder();
    for (String line : Files.readAllLines(fixture.resolve("golden.jsonl"))) {
      JsonNode g = JSON.readTree(line);
      if (g.get("kind").asText().equals("document")) {
        docs.append(
                JSON.writeValueAsString(
                    Map.of("id", g.get("id").asText(), "text", g.get("text").asText())))
            .append('\n');
      } else if (g.get("kind").asText().equals("score") && g.get("query").asText().equals("q01")) {
        expected.put(g.get("document").asText(), g.get("maxsim").asDouble());
      }
    }
    Path file = dir.resolve("docs.jsonl");
    Files.writeString(file, docs);

    Run r =
        run(
            "rerank",
            "--model",
            fixture.toString(),
            "--query",
            QUERY,
            "--docs",
            file.toString(),
            "--scores",
            "raw",
            "--json");

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode results = JSON.readTree(r.out()).get("results");
    assertThat(results).hasSize(12);
    double previous = Double.POSITIVE_INFINITY;
    for (JsonNode res : results) {
      double logit = res.get("logit").asDouble();
      assertThat(logit).isCloseTo(expected.get(res.get("id").asText()), within(1e-4));
      assertThat(res.get("score").asDouble()).isEqualTo(logit);
      assertThat(logit).isLessThanOrEqualTo(previous);
      previous = logit;
    }
  }

  @Test
  void rerank_lateInteraction_refusesCrossEncoderOptions(@TempDir Path dir) throws Exception {
    Path fixture = Shared.require("models/tiny-colbert-fixture");
    Path file = dir.resolve("docs.txt");
    Files.writeString(file, "Paris is in France.\n");
    Run sigmoid =
        run(
            "rerank",
            "--model",
            fixture.toString(),
            "--query",
            "q",
            "--docs",
            file.toString(),
            "--scores",
            "sigmoid");
    assertThat(sigmoid.code()).isNotZero();
    assertThat(sigmoid.err())
        .contains("--scores must be raw for a late-interaction model")
        .contains("got sigmoid");
    Run length =
        run(
            "rerank",
            "--model",
            fixture.toString(),
            "--query",
            "q",
            "--docs",
            file.toString(),
            "--max-length",
            "64");
    assertThat(length.err()).contains("--max-length does not apply to a late-interaction model");
  }
}
