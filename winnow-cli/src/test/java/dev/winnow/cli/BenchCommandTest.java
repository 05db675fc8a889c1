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
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = Winnow.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void call_neitherMode_exits2NamingBoth() {
    int code = run("bench", "--model", Shared.tinyFixture().toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("winnow: give either --length and --batch")
        .contains("neither");
  }

  @Test
  void call_lengthWithoutBatch_exits2() {
    int code = run("bench", "--model", Shared.tinyFixture().toString(), "--length", "64");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--length and --batch go together");
  }

  @Test
  void call_zeroRepeat_exits2NamingTheValue() {
    int code =
        run(
            "bench",
            "--model",
            Shared.tinyFixture().toString(),
            "--length",
            "64",
            "--batch",
            "2",
            "--repeat",
            "0");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--repeat must be >= 1, got 0");
  }

  @Test
  void call_fixedLength_printsTheJsonFields() throws Exception {
    int code =
        run(
            "bench",
            "--model",
            Shared.tinyFixture().toString(),
            "--length",
            "64",
            "--batch",
            "3",
            "--repeat",
            "2",
            "--warmup",
            "1",
            "--threads",
            "1",
            "--peak-gflops",
            "100",
            "--json");
    assertThat(code).as(err.toString()).isZero();
    JsonNode j = new ObjectMapper().readTree(out.toString());
    assertThat(j.path("pairs").asInt()).isEqualTo(3);
    assertThat(j.path("tokens").asLong()).isEqualTo(3 * 64);
    assertThat(j.path("peak_gflops").asDouble()).isEqualTo(100);
    // Three equal pairs fit one batch of the default budget: nothing padded.
    assertThat(j.path("batches").asInt()).isEqualTo(1);
    assertThat(j.path("padded_tokens").asLong()).isEqualTo(3 * 64);
    assertThat(j.path("padding_waste").asDouble()).isZero();
    assertThat(j.path("pairs_per_second").asDouble()).isPositive();
    assertThat(j.path("ms_per_query").asDouble()).isPositive();
    // gflops is the real work divided by the same median time, and roofline is gflops / peak.
    assertThat(j.path("roofline_fraction").asDouble())
        .isCloseTo(j.path("gflops").asDouble() / 100, within(1e-3));
  }

  @Test
  void call_docsFile_scoresEachNonBlankLine(@TempDir Path tmp) throws Exception {
    Path docs = tmp.resolve("docs.txt");
    Files.writeString(docs, "Paris is in France.\n\nThe cell has a nucleus.\n");
    int code =
        run(
            "bench",
            "--model",
            Shared.tinyFixture().toString(),
            "--query",
            "where is paris?",
            "--docs",
            docs.toString(),
            "--repeat",
            "1",
            "--threads",
            "1",
            "--peak-gflops",
            "50",
            "--json");
    assertThat(code).as(err.toString()).isZero();
    JsonNode j = new ObjectMapper().readTree(out.toString());
    assertThat(j.path("pairs").asInt()).isEqualTo(2);
    // Two pairs of different lengths: padded to the longer one in one batch, or unpadded in two.
    assertThat(j.path("padded_tokens").asLong()).isGreaterThanOrEqualTo(j.path("tokens").asLong());
    assertThat(j.path("batches").asInt()).isBetween(1, 2);
  }

  @Test
  void gflop_miniLmShapeGivesTheDocumentedCosts() {
    OptionalDouble[] miniLm = {
      OptionalDouble.of(6), OptionalDouble.of(384), OptionalDouble.of(1536)
    };
    assertThat(BenchCommand.gflop(128, miniLm)).isCloseTo(2.87, within(0.01));
    assertThat(BenchCommand.gflop(256, miniLm)).isCloseTo(6.04, within(0.01));
    assertThat(BenchCommand.gflop(512, miniLm)).isCloseTo(13.29, within(0.01));
  }

  @Test
  void transformerShape_readsTheFixtureConfig() {
    OptionalDouble[] s =
        BenchCommand.transformerShape(Shared.miniLmFixture().resolve("config.json"));
    assertThat(s[0].getAsDouble()).isEqualTo(6);
    assertThat(s[1].getAsDouble()).isEqualTo(384);
    assertThat(s[2].getAsDouble()).isEqualTo(1536);
  }
}
