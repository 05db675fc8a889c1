package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.testkit.Shared;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The demo end to end with the bundled bge-small weights (about half a minute on 2 cores). */
class DemoCommandIT {

  @Test
  void demo_showsBm25AndRescoringWithProvenance_andAFixtureModelUnderItsBanner() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Winnow.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code =
        cl.execute(
            "demo",
            "--model",
            Shared.tinyFixture().toString(),
            "--query",
            "what makes bread dough rise",
            "--top-n",
            "2");
    assertThat(code).as(err.toString()).isZero();
    assertThat(err.toString()).contains("TEST FIXTURE").contains("NO relevance meaning");
    assertThat(out.toString()).contains("cross-encoder reranking of BM25 top 10:");
    String text = out.toString();
    assertThat(text)
        .contains("Indexed 41 sample documents")
        .contains("BM25 (first stage):")
        .contains("bge-small rescoring of BM25 top 10:")
        .contains("stage 1 cross-encoder:tiny-ce-fixture");
    // the yeast document is BM25's #3 and bge-small's #1 on this query
    String after = text.substring(text.indexOf("bge-small rescoring"));
    assertThat(after.lines().skip(1).findFirst().orElseThrow())
        .contains("bread-01")
        .contains("(was #3)");
  }
}
