package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.cohere.CohereScoringModel;
import dev.langchain4j.model.jina.JinaScoringModel;
import dev.langchain4j.model.output.Response;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.ScoringOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Real rerank clients, written by others, pointed at a Winnow server on loopback: langchain4j's
 * {@code CohereScoringModel} and {@code JinaScoringModel}, and the official Cohere TypeScript SDK
 * (v1 and v2 clients) run by Node. Each ranking a client receives must equal {@link
 * CrossEncoder#rerank} on the same inputs, scores included, bit for bit. Subclasses name the
 * engine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RerankClientsContract {

  static final String KEY = "it-secret-key";
  static final String QUERY = "how do plants turn sunlight into energy";
  static final List<String> DOCUMENTS =
      List.of(
          "Photosynthesis converts light energy into chemical energy stored in glucose.",
          "The stock market fell sharply on Tuesday after the announcement.",
          "Chlorophyll in plant leaves absorbs sunlight, mostly red and blue light.",
          "Energy drinks contain caffeine and sugar.",
          "Plants use sunlight, water and carbon dioxide to make sugar and release oxygen.",
          "Solar panels turn sunlight into electricity using photovoltaic cells.",
          "Leaves are green.",
          "How do I reset my password? Click on 'forgot password' and follow the steps.");

  private CrossEncoder engine;
  private WinnowServer server;

  /** The engine under test; closed by the contract. */
  abstract CrossEncoder openEngine();

  @BeforeAll
  void start() {
    engine = openEngine();
    server =
        new WinnowServer(
                engine, ServerConfig.DEFAULTS.withPort(0).withApiKey(Optional.of(KEY), false))
            .start();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  private List<RankedDocument> library(int topN) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < DOCUMENTS.size(); i++) {
      ids.add(Integer.toString(i));
    }
    return engine.rerank(QUERY, ids, DOCUMENTS, topN, ScoringOptions.DEFAULTS);
  }

  /** Scores in input order, as a ScoringModel returns them, ranked by the library's rule. */
  private static List<RankedDocument> rank(List<Double> scores) {
    List<RankedDocument> r = new ArrayList<>();
    for (int i = 0; i < scores.size(); i++) {
      r.add(new RankedDocument(i, Integer.toString(i), Double.NaN, scores.get(i)));
    }
    r.sort(RankedDocument.ORDER);
    return r;
  }

  private static void assertSameRanking(List<RankedDocument> got, List<RankedDocument> want) {
    assertThat(got).hasSameSizeAs(want);
    for (int i = 0; i < want.size(); i++) {
      assertThat(got.get(i).index()).as("rank " + i + " index").isEqualTo(want.get(i).index());
      assertThat(got.get(i).score()).as("rank " + i + " score").isEqualTo(want.get(i).score());
    }
  }

  @Test
  void langchain4jCohere_receivesTheLibraryRanking() {
    CohereScoringModel model =
        CohereScoringModel.builder()
            .baseUrl(server.baseUrl() + "/v1/")
            .apiKey(KEY)
            .modelName("winnow")
            .timeout(Duration.ofSeconds(30))
            .maxRetries(1)
            .build();
    Response<List<Double>> r =
        model.scoreAll(DOCUMENTS.stream().map(TextSegment::from).toList(), QUERY);
    assertSameRanking(rank(r.content()), library(DOCUMENTS.size()));
  }

  @Test
  void langchain4jJina_receivesTheLibraryRanking() {
    JinaScoringModel model =
        JinaScoringModel.builder()
            .baseUrl(server.baseUrl() + "/v1/")
            .apiKey(KEY)
            .modelName("winnow")
            .timeout(Duration.ofSeconds(30))
            .maxRetries(1)
            .build();
    Response<List<Double>> r =
        model.scoreAll(DOCUMENTS.stream().map(TextSegment::from).toList(), QUERY);
    assertSameRanking(rank(r.content()), library(DOCUMENTS.size()));
    assertThat(r.tokenUsage().inputTokenCount()).isPositive();
    assertThat(r.tokenUsage().totalTokenCount()).isEqualTo(r.tokenUsage().inputTokenCount());
  }

  @Test
  void cohereTypeScriptSdk_v1AndV2_receiveTheLibraryRanking() throws Exception {
    Path work = nodeClients();
    Path input = work.resolve("input.json");
    var in = Http.JSON.createObjectNode();
    in.put("baseUrl", server.baseUrl()).put("token", KEY).put("query", QUERY).put("topN", 5);
    var docs = in.putArray("documents");
    DOCUMENTS.forEach(docs::add);
    Files.writeString(input, in.toString());
    String out = run(work, List.of("node", "rerank-clients.js", input.toString()), 120);
    JsonNode r = Http.JSON.readTree(out);
    List<RankedDocument> want = library(5);
    for (String client : List.of("v1", "v2")) {
      List<RankedDocument> got = new ArrayList<>();
      for (JsonNode n : r.get(client)) {
        got.add(
            new RankedDocument(
                n.get("index").asInt(), "", Double.NaN, n.get("score").doubleValue()));
      }
      assertSameRanking(got, want);
    }
    for (JsonNode n : r.get("v1")) {
      assertThat(n.get("text").asText()).isEqualTo(DOCUMENTS.get(n.get("index").asInt()));
    }
    assertThat(r.get("v2Version").asText()).isEqualTo("2");
    assertThat(r.at("/emptyQuery/status").asInt()).isEqualTo(422);
    assertThat(r.at("/emptyQuery/kind").asText()).isEqualTo("UnprocessableEntityError");
    assertThat(r.at("/emptyQuery/message").asText()).isEqualTo("query must not be empty");
    assertThat(r.at("/wrongKey/status").asInt()).isEqualTo(401);
    assertThat(r.at("/wrongKey/kind").asText()).isEqualTo("UnauthorizedError");
  }

  /** Installs the Node client (npm ci) into target once; skips without node unless CI=true. */
  private static synchronized Path nodeClients() throws IOException, InterruptedException {
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    try {
      run(Paths.get("."), List.of("node", "--version"), 30);
      run(Paths.get("."), List.of("npm", "--version"), 60);
    } catch (IOException | AssertionError e) {
      String message =
          "node and npm are needed to run the Cohere TypeScript SDK: " + e.getMessage();
      if (ci) {
        fail(message + " (CI=true, where they must exist)");
      }
      Assumptions.abort(message + ": skipped");
    }
    Path src = Paths.get("src", "test", "node");
    Path work = Paths.get("target", "node-clients");
    Files.createDirectories(work);
    for (String f : List.of("package.json", "package-lock.json", "rerank-clients.js")) {
      Files.copy(src.resolve(f), work.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(work.resolve("node_modules").resolve("cohere-ai"))) {
      run(work, List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300);
    }
    return work.toAbsolutePath();
  }

  private static String run(Path dir, List<String> command, int seconds)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("winnow-node", ".err");
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectError(log.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not finish within " + seconds + " s");
    }
    String err = Files.readString(log);
    Files.deleteIfExists(log);
    if (p.exitValue() != 0) {
      throw new AssertionError(command + " exited " + p.exitValue() + ": " + err);
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
