package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index, eval and regress commands end to end on a three-document BEIR folder. */
class IndexEvalCommandsTest {

  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private Path dataset() throws IOException {
    Path d = tmp.resolve("data/tiny");
    Files.createDirectories(d.resolve("qrels"));
    Files.writeString(
        d.resolve("corpus.jsonl"),
        "{\"_id\": \"d1\", \"title\": \"Aspirin\", \"text\": \"Aspirin reduces fever.\"}\n"
            + "{\"_id\": \"d2\", \"text\": \"Statins lower cholesterol.\"}\n"
            + "{\"_id\": \"d3\", \"text\": \"Fever is common.\"}\n");
    Files.writeString(
        d.resolve("queries.jsonl"),
        "{\"_id\": \"q1\", \"text\": \"aspirin fever\"}\n{\"_id\": \"q2\", \"text\": \"statins\"}\n");
    Files.writeString(
        d.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n");
    return d;
  }

  @Test
  void index_reportsCountAfterCommit() throws IOException {
    Path d = dataset();
    CliRun r =
        run("index", "--corpus", d.resolve("corpus.jsonl").toString(), "--index", tmp + "/idx");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("indexed 3 documents").contains("docs/s").contains("holds 3");
  }

  @Test
  void index_anseriniCollectionDirectory_indexesEveryFile() throws IOException {
    Path collection = Files.createDirectories(tmp.resolve("collection"));
    Files.writeString(
        collection.resolve("docs00.jsonl"),
        "{\"id\": \"d1\", \"contents\": \"Aspirin reduces fever.\"}\n");
    Files.writeString(
        collection.resolve("docs01.jsonl"),
        "{\"id\": \"d2\", \"contents\": \"Statins lower cholesterol.\"}\n");
    CliRun r = run("index", "--corpus", collection.toString(), "--index", tmp + "/idx");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("indexed 2 documents").contains("holds 2");
  }

  @Test
  void index_malformedCorpus_exits2WithFileAndLine() throws IOException {
    Path bad =
        Files.writeString(tmp.resolve("bad.jsonl"), "{\"_id\": \"1\", \"text\": \"a\"}\n{\n");
    CliRun r = run("index", "--corpus", bad.toString(), "--index", tmp + "/idx");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("winnow: ").contains("bad.jsonl line 2");
    assertThat(tmp.resolve("idx"))
        .as("an index created by the failed run is removed")
        .doesNotExist();
  }

  @Test
  void eval_json_reportsTheFourMetricsAndLatency() throws IOException {
    Path d = dataset();
    Path runFile = tmp.resolve("run.txt");
    CliRun r =
        run(
            "eval",
            "--dataset",
            d.toString(),
            "--index",
            tmp + "/idx",
            "--run",
            runFile.toString(),
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.at("/metrics/ndcg@10").asDouble()).isEqualTo(1.0);
    assertThat(json.at("/metrics/mrr@10").asDouble()).isEqualTo(1.0);
    assertThat(json.at("/metrics/recall@100").asDouble()).isEqualTo(1.0);
    assertThat(json.at("/metrics/map@100").asDouble()).isEqualTo(1.0);
    assertThat(json.at("/latency_ms/retrieve/p50").isNumber()).isTrue();
    assertThat(json.at("/latency_ms/total/p95").isNumber()).isTrue();
    assertThat(json.at("/queries").asInt()).isEqualTo(2);
    assertThat(Files.readAllLines(runFile)).first().asString().startsWith("q1 Q0 d1 1 ");
  }

  @Test
  void eval_badInput_exits2WithAClearMessage() throws IOException {
    Path d = dataset();
    CliRun k0 = run("eval", "--dataset", d.toString(), "--k", "0", "--index", tmp + "/i");
    assertThat(k0.code()).isEqualTo(2);
    assertThat(k0.err()).contains("k must be >= 1, got 0");
    CliRun split = run("eval", "--dataset", d.toString(), "--split", "dev", "--index", tmp + "/i");
    assertThat(split.code()).isEqualTo(2);
    assertThat(split.err()).contains("no split 'dev'");
    CliRun retr = run("eval", "--dataset", d.toString(), "--retriever", "magic");
    assertThat(retr.code()).isEqualTo(2);
    assertThat(retr.err()).contains("retriever must be one of [bm25, dense, hybrid]; got 'magic'");
  }

  @Test
  void regress_printsOkAndFail_andExits1OnFail() throws IOException {
    dataset();
    Path ok =
        Files.writeString(
            tmp.resolve("ok.yaml"),
            "dataset: data/tiny\npipeline: {retriever: bm25}\n"
                + "metrics: {ndcg@10: {expected: 1.0, tolerance: 0.0}}\n");
    CliRun r1 = run("regress", ok.toString(), "--shared", tmp.toString(), "--index", tmp + "/idx1");
    assertThat(r1.code()).as(r1.err()).isZero();
    assertThat(r1.out()).contains("OK   ndcg@10").contains("all metrics OK");
    Path fail =
        Files.writeString(
            tmp.resolve("fail.yaml"),
            "dataset: data/tiny\npipeline: {retriever: bm25}\n"
                + "metrics: {ndcg@10: {expected: 0.5, tolerance: 0.01}}\n");
    CliRun r2 =
        run("regress", fail.toString(), "--shared", tmp.toString(), "--index", tmp + "/idx2");
    assertThat(r2.code()).isEqualTo(1);
    assertThat(r2.out()).contains("FAIL ndcg@10");
  }
}
