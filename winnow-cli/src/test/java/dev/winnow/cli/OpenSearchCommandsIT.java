package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.opensearch.OpenSearchBackend;
import dev.winnow.opensearch.OpenSearchConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code index}, {@code search} and {@code eval} with {@code --backend opensearch} end to end,
 * against the cluster named by {@code WINNOW_OPENSEARCH_URL} (skipped without it, failing under
 * {@code CI=true}, where {@code .ci/run} starts one).
 */
class OpenSearchCommandsIT {

  @TempDir Path tmp;

  private final String index = "cli-it-" + UUID.randomUUID().toString().substring(0, 8);

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    CommandLine cl = Winnow.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private static String url() {
    String url = System.getenv().getOrDefault("WINNOW_OPENSEARCH_URL", "");
    if (url.isBlank()) {
      String message = "needs a cluster: scripts/opensearch.sh start, then WINNOW_OPENSEARCH_URL";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + "; CI=true, where .ci/run starts one");
      }
      Assumptions.abort(message + ": skipped");
    }
    return url;
  }

  @AfterEach
  void dropIndex() {
    String url = System.getenv().getOrDefault("WINNOW_OPENSEARCH_URL", "");
    if (!url.isBlank()) {
      try (OpenSearchBackend b = OpenSearchBackend.connect(OpenSearchConfig.of(url, index))) {
        b.deleteIndex();
      }
    }
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
  void indexThenSearch_bm25_answersFromTheCluster() throws IOException {
    String url = url();
    Path d = dataset();
    Result ix =
        run(
            "index",
            "--backend",
            "opensearch",
            "--opensearch-url",
            url,
            "--opensearch-index",
            index,
            "--corpus",
            d.resolve("corpus.jsonl").toString());
    assertThat(ix.code()).as(ix.err()).isZero();
    assertThat(ix.out()).contains("indexed 3 documents").contains("index '" + index + "'");
    assertThat(ix.out()).contains("the index holds 3 documents");

    Result s =
        run(
            "search",
            "--backend",
            "opensearch",
            "--opensearch-url",
            url,
            "--opensearch-index",
            index,
            "--query",
            "aspirin fever",
            "--json");
    assertThat(s.code()).as(s.err()).isZero();
    JsonNode hits = new ObjectMapper().readTree(s.out()).path("hits");
    assertThat(hits.get(0).path("id").asText()).isEqualTo("d1");
    assertThat(hits.get(0).path("provenance").toString()).contains("opensearch-bm25");
    assertThat(hits).hasSize(2);
  }

  @Test
  void eval_bm25_ingestsTheDatasetAndReportsMetrics() throws IOException {
    String url = url();
    Path d = dataset();
    Result r =
        run(
            "eval",
            "--backend",
            "opensearch",
            "--opensearch-url",
            url,
            "--opensearch-index",
            index,
            "--dataset",
            d.toString(),
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode report = new ObjectMapper().readTree(r.out());
    // Both queries find their one relevant document first.
    assertThat(report.path("metrics").path("ndcg@10").asDouble()).isEqualTo(1.0);
    assertThat(report.path("pipeline").asText()).contains("opensearch");
  }

  @Test
  void search_hybridWithVectorsFromIndex_fusesBothLists() throws IOException {
    String url = url();
    Path d = dataset();
    Result ix =
        run(
            "index",
            "--backend",
            "opensearch",
            "--opensearch-url",
            url,
            "--opensearch-index",
            index,
            "--embedder",
            "minilm",
            "--corpus",
            d.resolve("corpus.jsonl").toString());
    assertThat(ix.code()).as(ix.err()).isZero();
    assertThat(ix.out()).contains("with all-minilm-l6-v2 vectors");
    Result s =
        run(
            "search",
            "--backend",
            "opensearch",
            "--opensearch-url",
            url,
            "--opensearch-index",
            index,
            "--retriever",
            "hybrid",
            "--embedder",
            "minilm",
            "--rerank",
            "bi-encoder:minilm",
            "--query",
            "medicine against fever",
            "--json");
    assertThat(s.code()).as(s.err()).isZero();
    JsonNode hits = new ObjectMapper().readTree(s.out()).path("hits");
    assertThat(hits.size()).isEqualTo(3);
    String provenance = hits.get(0).path("provenance").toString();
    assertThat(provenance).contains("opensearch-bm25").contains("opensearch-dense");
    // Re-scoring read the vectors the cluster stores instead of embedding the documents again.
    assertThat(provenance).contains("\"cached\":true");
  }

  @Test
  void search_unreachableCluster_exits2NamingTheUrl() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Result r =
        run(
            "search",
            "--backend",
            "opensearch",
            "--opensearch-url",
            "http://127.0.0.1:" + port,
            "--query",
            "x");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .startsWith("winnow: OpenSearch at http://127.0.0.1:" + port)
        .contains("no node reachable");
  }

  @Test
  void index_embeddedWithoutIndexDir_saysWhatIsMissing() {
    Result r = run("index", "--corpus", "x.jsonl");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--index DIR is required with --backend embedded");
  }
}
