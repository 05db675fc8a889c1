package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.testkit.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One rule for test fixtures: every command uses them under the same banner. */
class FixturesTest {

  @TempDir Path tmp;

  private static String stderrOf(String... args) {
    CliRun r = CliRun.of(args);
    assertThat(r.code()).as(r.err()).isZero();
    return r.err();
  }

  @Test
  void rerankAndSearch_showTheSameBanner() throws IOException {
    String fixture = Shared.tinyFixture().toString();
    Path docs = Files.writeString(tmp.resolve("docs.txt"), "Aspirin reduces fever.\nStatins.\n");
    String rerank =
        stderrOf("rerank", "--model", fixture, "--query", "fever", "--docs", docs.toString());
    Path corpus =
        Files.writeString(
            tmp.resolve("c.jsonl"),
            "{\"id\": \"d1\", \"contents\": \"Aspirin reduces fever.\"}\n"
                + "{\"id\": \"d2\", \"contents\": \"A fever is common.\"}\n");
    stderrOf("index", "--corpus", corpus.toString(), "--index", tmp + "/idx");
    String search =
        stderrOf(
            "search",
            "--index",
            tmp + "/idx",
            "--query",
            "fever",
            "--rerank",
            "cross-encoder:" + fixture);
    String banner =
        "winnow: WARNING: " + fixture + " is a TEST FIXTURE, not a trained cross-encoder";
    assertThat(rerank.lines().filter(l -> l.startsWith(banner))).hasSize(1);
    assertThat(search.lines().filter(l -> l.startsWith(banner))).hasSize(1);
  }
}
