package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.index.WinnowIndex;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SearchCommandTest {

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

  /** A BM25-only index of the demo corpus (no model needed). */
  private static Path demoIndex(Path dir) {
    Path idx = dir.resolve("idx");
    try (WinnowIndex index = WinnowIndex.open(idx)) {
      index.ingest(DemoCommand.corpus().iterator(), Optional.empty(), 64, n -> {});
    }
    return idx;
  }

  @Test
  void search_bm25_printsRankedHitsAndTimings(@TempDir Path dir) {
    Run r =
        run(
            "search",
            "--index",
            demoIndex(dir).toString(),
            "--query",
            "arctic tern journey",
            "--top-n",
            "2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("pipeline: bm25, k 100, top 2")
        .contains("  1. bird-02")
        .contains("time: bm25");
    assertThat(r.out().lines().filter(l -> l.matches("\\s+\\d+\\. .*"))).hasSize(2);
  }

  @Test
  void search_explain_lastNumberOfEachExplanationIsTheHitsScore(@TempDir Path dir)
      throws Exception {
    Run r =
        run(
            "search",
            "--index",
            demoIndex(dir).toString(),
            "--query",
            "yeast bread",
            "--top-n",
            "3",
            "--explain",
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertThat(root.get("hits")).hasSize(3);
    for (JsonNode h : root.get("hits")) {
      String e = h.get("explanation").asText();
      double last = Double.parseDouble(e.substring(e.lastIndexOf("score = ") + 8).trim());
      assertThat(last).isEqualTo(h.get("score").asDouble());
      assertThat(h.get("provenance").get("retriever").asText()).isEqualTo("bm25");
    }
    assertThat(root.get("hits").get(0).get("id").asText()).startsWith("bread-");
  }

  @Test
  void search_badCounts_exitTwoNamingTheField(@TempDir Path dir) {
    String idx = demoIndex(dir).toString();
    Run k = run("search", "--index", idx, "--query", "x", "--k", "0");
    assertThat(k.code()).isEqualTo(2);
    assertThat(k.err()).contains("winnow: k must be >= 1, got 0");
    Run n = run("search", "--index", idx, "--query", "x", "--top-n", "-1");
    assertThat(n.code()).isEqualTo(2);
    assertThat(n.err()).contains("top-n must be >= 1, got -1");
  }

  @Test
  void search_denseOnAnIndexWithoutVectors_saysHowToFixIt(@TempDir Path dir) {
    Run r =
        run("search", "--index", demoIndex(dir).toString(), "--query", "x", "--retriever", "dense");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("holds none").contains("--embedder bge-small");
  }

  @Test
  void search_badPipelineOptions_nameTheOptionAndAllowedValues(@TempDir Path dir) {
    String idx = demoIndex(dir).toString();
    assertThat(run("search", "--index", idx, "--query", "x", "--retriever", "sparse").err())
        .contains("retriever must be one of bm25, dense, hybrid; got 'sparse'");
    assertThat(run("search", "--index", idx, "--query", "x", "--rerank", "llm:gpt").err())
        .contains("rerank kind must be bi-encoder, cross-encoder or late-interaction; got 'llm'");
    assertThat(run("search", "--index", idx, "--query", "x", "--rerank", "bi-encoder:bert").err())
        .contains("embedder must be one of bge-small, minilm; got 'bert'");
    assertThat(run("search", "--index", idx, "--query", "x", "--strategy", "middle").err())
        .contains("truncate, first, maxp; got 'middle'");
  }
}
