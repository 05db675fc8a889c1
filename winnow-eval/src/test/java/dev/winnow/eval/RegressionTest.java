package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegressionTest {

  @TempDir Path tmp;

  private Path yaml(String body) throws IOException {
    return Files.writeString(tmp.resolve("r.yaml"), body);
  }

  @Test
  void run_tinyDataset_matchesHandComputedMetrics() throws IOException {
    TinyBeir.write(tmp.resolve("shared/data/tiny"));
    Path file =
        yaml(
            "name: tiny-bm25\n"
                + "dataset: data/tiny\n"
                + "split: test\n"
                + "k: 100\n"
                + "pipeline: {retriever: bm25, k1: 0.9, b: 0.4}\n"
                + "metrics:\n"
                + "  ndcg@10: {expected: "
                + TinyBeir.NDCG_10
                + ", tolerance: 0.000001, source: by hand}\n"
                + "  recall@100: {expected: 0.9, tolerance: 0.01}\n"
                + "  p@1: {expected: 1.0, tolerance: 0}\n");
    Regression r = Regression.load(file);
    assertThat(r.pipeline()).isEqualTo(PipelineSpec.of("bm25").with("k1", "0.9").with("b", "0.4"));
    Regression.Result result =
        r.run(tmp.resolve("shared"), Optional.of(tmp.resolve("idx")), EvalRunner.Progress.NONE);
    assertThat(result.checks()).hasSize(3);
    assertThat(result.checks().get(0).actual()).isCloseTo(TinyBeir.NDCG_10, within(1e-12));
    assertThat(result.checks().get(0).ok()).isTrue();
    // recall is 2.5/3, outside 0.9 ± 0.01: this check must fail
    assertThat(result.checks().get(1).actual()).isCloseTo(TinyBeir.RECALL_100, within(1e-12));
    assertThat(result.checks().get(1).ok()).isFalse();
    assertThat(result.checks().get(2).ok()).isTrue();
    assertThat(result.ok()).isFalse();
    assertThat(result.report().unknownDocuments()).isEqualTo(1);
  }

  @Test
  void load_reportsBadFields() throws IOException {
    assertThatThrownBy(() -> Regression.load(yaml("dataset: d\npipeline: {retriever: bm25}\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metrics must be a mapping");
    assertThatThrownBy(
            () ->
                Regression.load(
                    yaml(
                        "dataset: d\npipeline: {k1: 1}\nmetrics: {ndcg@10: {expected: 1,"
                            + " tolerance: 0}}\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pipeline.retriever");
    assertThatThrownBy(
            () ->
                Regression.load(
                    yaml(
                        "dataset: d\npipeline: {retriever: bm25}\nmetrics: {ndcg@10: {expected:"
                            + " high, tolerance: 0}}\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metrics.ndcg@10.expected must be a number");
    assertThatThrownBy(
            () ->
                Regression.load(
                    yaml(
                        "dataset: d\ndatset: e\npipeline: {retriever: bm25}\nmetrics: {ndcg@10:"
                            + " {expected: 1, tolerance: 0}}\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown fields [datset]");
    assertThatThrownBy(() -> Regression.load(yaml("a: [unclosed\n")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> Regression.load(tmp.resolve("none.yaml")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void run_unknownRetriever_namesTheChoices() throws IOException {
    TinyBeir.write(tmp.resolve("shared/data/tiny"));
    Regression r =
        Regression.load(
            yaml(
                "dataset: data/tiny\npipeline: {retriever: magic}\nmetrics: {ndcg@10: {expected:"
                    + " 1, tolerance: 0}}\n"));
    assertThatThrownBy(
            () ->
                r.run(
                    tmp.resolve("shared"),
                    Optional.of(tmp.resolve("idx")),
                    EvalRunner.Progress.NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retriever must be one of [bm25, dense, hybrid]; got 'magic'");
  }
}
