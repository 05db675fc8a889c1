package dev.winnow.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.testkit.Shared;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every example as a user would, on the tiny cross-encoder fixture (random weights: the tests
 * check what the examples print, not relevance).
 */
class ExamplesTest {

  @TempDir Path tmp;

  /** Standard output of {@code body}. */
  private static String stdout(ThrowingRunnable body) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setOut(original);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void quickstart_indexesRetrievesRerank_andRanks() throws Exception {
    String model = Shared.tinyFixture().toString();
    String out = stdout(() -> Quickstart.main(new String[] {model, tmp.resolve("idx").toString()}));
    // BM25 finds the two documents that say "fever"; the cross-encoder orders them.
    assertThat(out.lines().filter(l -> l.startsWith("d")).map(l -> l.split(" ")[0]))
        .containsExactlyInAnyOrder("d1", "d3");
    assertThat(out).containsPattern("best: #[01] \\d\\.\\d{4} ");
  }

  @Test
  void embeddedServer_answersARerankRequest() throws Exception {
    String model = Shared.tinyFixture().toString();
    String out = stdout(() -> EmbeddedServer.main(new String[] {model}));
    assertThat(out).startsWith("200 ").contains("\"results\"").contains("\"relevance_score\"");
  }

  @Test
  void langChain4jRerank_keepsTheTwoBest() throws Exception {
    String model = Shared.tinyFixture().toString();
    String out = stdout(() -> LangChain4jRerank.main(new String[] {model}));
    assertThat(out.lines()).hasSize(2);
  }
}
