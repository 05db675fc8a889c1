package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.api.CrossEncoder;
import dev.winnow.index.IndexHealth;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The operational routes: {@code /health}, {@code /ready}, {@code /info} (Winnow's fields and
 * TEI's), {@code /metrics} and {@code /openapi.json} (built for this server, see {@link OpenApi}).
 * None reads a body. Thread-safe.
 */
final class OpsRoutes {

  private final CrossEncoder encoder;
  private final boolean chunks;
  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final BooleanSupplier ready;
  private final Optional<CorpusRoutes> corpus;
  private final ObjectMapper mapper;
  private final OpenApi openApi;
  private final String version;

  OpsRoutes(
      CrossEncoder encoder,
      boolean chunks,
      ServerConfig config,
      ServerMetrics metrics,
      BooleanSupplier ready,
      Optional<CorpusRoutes> corpus,
      ObjectMapper mapper,
      OpenApi openApi) {
    this.encoder = encoder;
    this.chunks = chunks;
    this.config = config;
    this.metrics = metrics;
    this.ready = ready;
    this.corpus = corpus;
    this.mapper = mapper;
    this.openApi = openApi;
    String v = WinnowServer.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
  }

  void answer(Exchange ex, Route route) {
    switch (route) {
      case HEALTH -> ex.json(200, mapper.createObjectNode().put("status", "ok"));
      case READY -> readiness(ex);
      case INFO -> ex.json(200, info());
      case METRICS ->
          ex.send(
              200,
              "text/plain; version=0.0.4; charset=utf-8",
              metrics.render().getBytes(StandardCharsets.UTF_8));
      case OPENAPI -> ex.send(200, "application/json", openApi.bytes());
      default -> throw new IllegalArgumentException("not an operational route: " + route);
    }
  }

  private void readiness(Exchange ex) {
    boolean r = ready.getAsBoolean();
    ObjectNode status = mapper.createObjectNode();
    Optional<IndexHealth> health = corpus.map(CorpusRoutes::health);
    boolean degraded = health.isPresent() && health.get().degraded();
    // Degraded stays 200: searches and reranks keep answering from the last commit.
    status.put("status", !r ? "not ready" : degraded ? "degraded" : "ready");
    health.ifPresent(
        h -> {
          ObjectNode i = status.putObject("index");
          i.put("writes", h.status().name().toLowerCase(Locale.ROOT));
          i.put("failed_writes", h.failedWrites());
          i.put("since", h.since().toString());
          h.lastError().ifPresent(e -> i.put("last_error", e));
        });
    ex.json(r ? 200 : 503, status);
  }

  /** Winnow's description of itself, with TEI's {@code /info} fields beside it. */
  JsonNode info() {
    ObjectNode root = mapper.createObjectNode();
    root.put("model", encoder.name());
    root.put("version", version);
    root.put("max_length", encoder.maxLength());
    root.put("default_activation", encoder.defaultActivation().label());
    // Cohere routes split long documents into chunks only with the engine's tokenizer.
    root.put("long_documents", chunks ? "chunks" : "truncate");
    ObjectNode limits = root.putObject("limits");
    limits.put("max_documents", config.maxDocuments());
    limits.put("max_body_bytes", config.maxBodyBytes());
    limits.put("max_response_bytes", config.maxResponseBytes());
    limits.put("max_queued_pairs", config.maxQueuedPairs());
    limits.put("request_timeout_ms", config.requestTimeout().toMillis());
    limits.put("batch_token_budget", config.batchTokenBudget());
    limits.put("max_batch_pairs", config.maxBatchPairs());
    limits.put("max_nesting_depth", JsonLimits.MAX_NESTING_DEPTH);
    limits.put("max_number_length", JsonLimits.MAX_NUMBER_LENGTH);
    root.putArray("dialects")
        .add("cohere-v2 POST /v2/rerank")
        .add("cohere-v1/jina POST /v1/rerank")
        .add("tei POST /rerank");
    root.put("auth", config.apiKey().isPresent() ? "bearer" : "none");
    // TEI's fields, so that TEI clients and dashboards read this server as a TEI reranker.
    root.put("model_id", encoder.name());
    root.put("max_input_length", encoder.maxLength());
    root.put("max_client_batch_size", config.maxDocuments());
    root.put("max_batch_tokens", config.batchTokenBudget());
    root.put("max_batch_requests", config.maxBatchPairs());
    root.put("auto_truncate", true);
    ObjectNode reranker = root.putObject("model_type").putObject("reranker");
    reranker.putObject("id2label").put("0", "LABEL_0");
    reranker.putObject("label2id").put("LABEL_0", 0);
    return root;
  }
}
