package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code search --topics ... --output RUN} and {@code eval --run RUN --qrels QRELS}. */
class BatchSearchTest {

  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private Path dataset() throws IOException {
    Path d = tmp.resolve("data");
    Files.createDirectories(d.resolve("qrels"));
    Files.writeString(
        d.resolve("corpus.jsonl"),
        "{\"_id\": \"d1\", \"text\": \"Aspirin reduces fever and pain.\"}\n"
            + "{\"_id\": \"d2\", \"text\": \"Statins lower cholesterol.\"}\n"
            + "{\"_id\": \"d3\", \"text\": \"Fever is common in children; aspirin is not.\"}\n"
            + "{\"_id\": \"d4\", \"text\": \"Cholesterol and fever.\"}\n");
    Files.writeString(
        d.resolve("queries.jsonl"),
        "{\"_id\": \"q1\", \"text\": \"aspirin fever\"}\n"
            + "{\"_id\": \"q2\", \"text\": \"cholesterol statins\"}\n"
            + "{\"_id\": \"q3\", \"text\": \"fever children\"}\n");
    Files.writeString(
        d.resolve("qrels/test.tsv"),
        "query-id\tcorpus-id\tscore\nq1\td3\t1\nq2\td4\t1\nq2\td2\t2\nq3\td1\t1\n");
    return d;
  }

  private Path index(Path d) {
    Path idx = tmp.resolve("idx");
    assertThat(
            run("index", "--corpus", d.resolve("corpus.jsonl").toString(), "--index", idx + "")
                .code())
        .isZero();
    return idx;
  }

  @Test
  void topicsThenEvalRun_giveEvalsMetrics_fromJsonlAndTsvTopics() throws IOException {
    Path d = dataset();
    Path idx = index(d);
    CliRun direct = run("eval", "--dataset", d.toString(), "--index", idx.toString(), "--json");
    assertThat(direct.code()).as(direct.err()).isZero();
    JsonNode expected = new ObjectMapper().readTree(direct.out()).get("metrics");
    assertThat(expected.get("ndcg@10").asDouble()).isBetween(0.01, 0.99); // not a trivial case

    Path tsv =
        Files.writeString(
            tmp.resolve("topics.tsv"),
            "q1\taspirin fever\nq2\tcholesterol statins\nq3\tfever children\n");
    for (Path topics : List.of(d.resolve("queries.jsonl"), tsv)) {
      Path runFile = tmp.resolve("run-" + topics.getFileName() + ".txt");
      CliRun s =
          run(
              "search",
              "--index",
              idx.toString(),
              "--topics",
              topics.toString(),
              "--output",
              runFile.toString(),
              "--hits",
              "100");
      assertThat(s.code()).as(s.err()).isZero();
      assertThat(s.out()).contains("searched 3 topics");
      CliRun scored =
          run(
              "eval",
              "--run",
              runFile.toString(),
              "--qrels",
              d.resolve("qrels/test.tsv").toString(),
              "--json");
      assertThat(scored.code()).as(scored.err()).isZero();
      JsonNode got = new ObjectMapper().readTree(scored.out());
      assertThat(got.get("metrics")).as(topics.toString()).isEqualTo(expected);
      assertThat(got.get("queries").asInt()).isEqualTo(3);
    }
  }

  @Test
  void evalRun_trecEvalMetricNames_andText() throws IOException {
    Path d = dataset();
    Path idx = index(d);
    Path runFile = tmp.resolve("run.txt");
    run(
        "search",
        "--index",
        idx + "",
        "--topics",
        d.resolve("queries.jsonl") + "",
        "--output",
        runFile + "");
    CliRun r =
        run(
            "eval",
            "--run",
            runFile.toString(),
            "--qrels",
            d.resolve("qrels/test.tsv").toString(),
            "-m",
            "ndcg_cut.10",
            "-m",
            "recall.100",
            "-m",
            "map",
            "-m",
            "recip_rank");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("ndcg_cut.10")
        .contains("recall.100")
        .contains("map ")
        .contains("recip_rank");
    CliRun bad =
        run(
            "eval",
            "--run",
            runFile + "",
            "--qrels",
            d.resolve("qrels/test.tsv") + "",
            "-m",
            "bleu");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("metric must be one of").contains("'bleu'");
  }

  @Test
  void badCombinations_areOneLineErrors() throws IOException {
    Path d = dataset();
    Path idx = index(d);
    CliRun both =
        run("search", "--index", idx + "", "--query", "x", "--topics", d + "/queries.jsonl");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).contains("exactly one of --query TEXT or --topics FILE");
    CliRun noOut = run("search", "--index", idx + "", "--topics", d + "/queries.jsonl");
    assertThat(noOut.err()).contains("--topics needs --output RUN");
    Path badTopics = Files.writeString(tmp.resolve("t.tsv"), "q1 no tab here\n");
    CliRun tsv =
        run("search", "--index", idx + "", "--topics", badTopics + "", "--output", tmp + "/r");
    assertThat(tsv.err()).contains("t.tsv line 1").contains("qid<TAB>query text");
    CliRun noRun = run("eval", "--qrels", d + "/qrels/test.tsv");
    assertThat(noRun.err()).contains("give --run RUN");
    CliRun nothing = run("eval");
    assertThat(nothing.err()).contains("--dataset DIR").contains("--run RUN --qrels QRELS");
  }
}
