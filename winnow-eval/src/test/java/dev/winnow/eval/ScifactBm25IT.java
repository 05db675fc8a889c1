package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.testkit.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SciFact BM25 regression ({@code regressions/scifact-bm25.yaml}) on all 300 test queries:
 * indexes the 5,183 documents into a temporary directory and checks every metric's band, which
 * reproduces Anserini's published nDCG@10 0.6789 and R@100 0.9253.
 */
class ScifactBm25IT {

  @TempDir Path tmp;

  @Test
  void scifactBm25_reproducesAnserini() {
    Path scifact = Shared.scifact();
    // failsafe runs in the module directory; the regressions live at the repository root
    Path yaml = Path.of("").toAbsolutePath().getParent().resolve("regressions/scifact-bm25.yaml");
    assertThat(yaml).as("regression file").exists();
    Regression regression = Regression.load(yaml);
    Path root = scifact.getParent().getParent(); // datasets are relative to the shared root
    assertThat(root.resolve(regression.dataset())).isEqualTo(scifact);

    Regression.Result result =
        regression.run(root, Optional.of(tmp.resolve("index")), EvalRunner.Progress.NONE);

    EvalReport report = result.report();
    System.out.print(report.toText());
    assertThat(report.evaluation().queries()).isEqualTo(300);
    assertThat(report.indexDocuments()).isEqualTo(5183);
    assertThat(report.judgments()).isEqualTo(339);
    assertThat(report.unknownDocuments()).isZero();
    // at most k hits per query (a query matching fewer documents returns fewer)
    assertThat(report.run().values().stream().mapToInt(java.util.List::size).max().orElse(0))
        .isEqualTo(100);
    for (Regression.Check c : result.checks()) {
      assertThat(c.ok())
          .as(
              "%s = %.4f, expected %.4f ± %.4f",
              c.expectation().metric(),
              c.actual(),
              c.expectation().expected(),
              c.expectation().tolerance())
          .isTrue();
    }
    assertThat(Files.exists(tmp.resolve("index"))).isTrue();
  }
}
