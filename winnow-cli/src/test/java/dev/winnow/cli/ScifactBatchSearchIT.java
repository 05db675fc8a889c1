package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.testkit.Shared;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The field's two-step workflow equals Winnow's one step on SciFact test with BM25: {@code search
 * --topics} writes a run, {@code eval --run --qrels} scores it, and the metrics are those of {@code
 * eval --dataset} (the trec_eval agreement itself is TrecEvalCrossCheckTest's).
 */
class ScifactBatchSearchIT {

  @TempDir Path tmp;

  private static String ok(String... args) {
    CliRun r = CliRun.of(args);
    assertThat(r.code()).as(r.err()).isZero();
    return r.out();
  }

  @Test
  void searchTopicsThenEvalRun_equalsEval() throws Exception {
    Path scifact = Shared.scifact();
    Path idx = tmp.resolve("idx");
    ObjectMapper json = new ObjectMapper();
    JsonNode direct =
        json.readTree(
            ok(
                "eval",
                "--dataset",
                scifact.toString(),
                "--split",
                "test",
                "--index",
                idx.toString(),
                "--k",
                "100",
                "--json"));
    Path run = tmp.resolve("bm25.run");
    ok(
        "search",
        "--index",
        idx.toString(),
        "--topics",
        scifact.resolve("queries.jsonl").toString(),
        "--k",
        "100",
        "--hits",
        "100",
        "--output",
        run.toString());
    JsonNode scored =
        json.readTree(
            ok(
                "eval",
                "--run",
                run.toString(),
                "--qrels",
                scifact.resolve("qrels/test.tsv").toString(),
                "--json"));
    assertThat(scored.get("queries").asInt()).isEqualTo(300);
    assertThat(scored.get("metrics")).isEqualTo(direct.get("metrics"));
    // The shared README's BM25 figure for SciFact test.
    assertThat(scored.at("/metrics/ndcg@10").asDouble()).isCloseTo(0.6789, within(5e-4));
  }
}
