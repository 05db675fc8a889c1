package dev.winnow.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.api.Document;
import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.ErrorCause;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.SearchType;
import org.opensearch.client.opensearch._types.ShardStatistics;
import org.opensearch.client.opensearch._types.SortOrder;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.SearchRequest;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Transport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.opensearch.client.transport.httpclient5.ResponseException;
import org.opensearch.client.util.ObjectBuilder;

/**
 * One OpenSearch index seen from Winnow: creates it with {@link IndexLayout}'s explicit mapping,
 * ingests documents through the bulk API (embeddings computed by a Winnow {@link Encoder}), and
 * runs BM25 and k-NN searches that come back as Winnow {@link Hit}s.
 *
 * <p>Requests go through the OpenSearch Java client on its Apache HttpClient 5 transport, which
 * spreads them over all configured node URLs and, when a node stops answering, marks it dead for a
 * while and sends the request to the next one: a search during a node failure keeps answering as
 * long as some node holds a copy of every shard.
 *
 * <p>Every failure of the cluster (unreachable, timed out, red index, mapping conflict, failed
 * shard) surfaces as an {@link OpenSearchClusterException} whose message names the URL(s) and the
 * index. Thread-safe: the client and its connection pool are shared by all threads; close the
 * backend once, when no thread uses it any more.
 */
public final class OpenSearchBackend implements AutoCloseable {

  /** The most hits one search may ask for (OpenSearch's default {@code max_result_window}). */
  public static final int MAX_K = 10_000;

  /** The smallest HNSW beam width of a k-NN search (the embedded index's default too). */
  public static final int EF_SEARCH = 100;

  private final OpenSearchConfig config;
  private final ApacheHttpClient5Transport transport;
  private final OpenSearchClient client;
  private final ObjectMapper json = new ObjectMapper();

  private OpenSearchBackend(OpenSearchConfig config) {
    this.config = config;
    HttpHost[] hosts = new HttpHost[config.urls().size()];
    for (int i = 0; i < hosts.length; i++) {
      URI u = config.urls().get(i);
      int port =
          u.getPort() != -1 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
      hosts[i] = new HttpHost(u.getScheme().toLowerCase(Locale.ROOT), u.getHost(), port);
    }
    long millis = config.timeout().toMillis();
    this.transport =
        ApacheHttpClient5TransportBuilder.builder(hosts)
            .setMapper(new JacksonJsonpMapper(json))
            .setConnectionConfigCallback(
                c ->
                    c.setConnectTimeout(Timeout.ofMilliseconds(millis))
                        .setSocketTimeout(Timeout.ofMilliseconds(millis)))
            .setRequestConfigCallback(r -> r.setResponseTimeout(Timeout.ofMilliseconds(millis)))
            .build();
    this.client = new OpenSearchClient(transport);
  }

  /** A backend for {@code config}; nothing is sent until the first call. */
  public static OpenSearchBackend connect(OpenSearchConfig config) {
    return new OpenSearchBackend(Objects.requireNonNull(config, "config"));
  }

  public OpenSearchConfig config() {
    return config;
  }

  /** The cluster's version number, e.g. {@code 3.5.0}; fails when no node answers. */
  public String clusterVersion() {
    return raw("GET", "/", Optional.empty(), "read the cluster version")
        .path("version")
        .path("number")
        .asText("unknown");
  }

  public boolean indexExists() {
    try {
      return client.indices().exists(e -> e.index(config.index())).value();
    } catch (IOException | OpenSearchException e) {
      throw failure("check whether the index exists", e);
    }
  }

  /**
   * Creates the index when it is missing; when it exists, checks that Winnow made it and that its
   * vectors (if {@code vectors} is given) come from the same encoder with the same dimension. Then
   * waits until every primary shard is assigned (yellow). Returns the index's vectors.
   */
  public Optional<VectorSpec> ensureIndex(Optional<VectorSpec> vectors) {
    Objects.requireNonNull(vectors, "vectors");
    if (!indexExists()) {
      createIndex(vectors);
      return vectors;
    }
    Optional<VectorSpec> have = vectors();
    // Documents without vectors in an index with vectors would be invisible to dense search.
    if (!vectors.equals(have)) {
      throw new OpenSearchClusterException(
          where()
              + " holds "
              + have.map(v -> "vectors of " + v.encoder() + " (dimension " + v.dimension() + ")")
                  .orElse("no vectors")
              + " but ingestion brings "
              + vectors
                  .map(v -> "vectors of " + v.encoder() + " (dimension " + v.dimension() + ")")
                  .orElse("no vectors")
              + "; ingest with the same --embedder, delete the index, or choose another with"
              + " --opensearch-index");
    }
    awaitYellow();
    return have;
  }

  /** Creates the index with {@link IndexLayout}'s settings and mapping; fails if it exists. */
  public void createIndex(Optional<VectorSpec> vectors) {
    ObjectNode body = IndexLayout.createBody(config.shards(), config.replicas(), vectors);
    raw("PUT", "/" + config.index(), Optional.of(body), "create the index");
    awaitYellow();
  }

  /** Deletes the index; returns false when there was none. */
  public boolean deleteIndex() {
    if (!indexExists()) {
      return false;
    }
    raw("DELETE", "/" + config.index(), Optional.empty(), "delete the index");
    return true;
  }

  /** The index as {@code GET /<index>} shows it: its {@code settings} and {@code mappings}. */
  public JsonNode indexDefinition() {
    JsonNode all = raw("GET", "/" + config.index(), Optional.empty(), "read the index definition");
    JsonNode mine = all.path(config.index());
    if (mine.isMissingNode()) {
      throw new OpenSearchClusterException(where() + ": GET returned no definition: " + all);
    }
    return mine;
  }

  /** The vectors the index holds (encoder and dimension), empty for a text-only index. */
  public Optional<VectorSpec> vectors() {
    return IndexLayout.readVectors(indexDefinition().path("mappings"), where());
  }

  /** Documents searchable now. */
  public long count() {
    try {
      return client.count(c -> c.index(config.index())).count();
    } catch (IOException | OpenSearchException e) {
      throw failure("count documents", e);
    }
  }

  /**
   * Waits (up to half the request timeout) until every primary shard of the index is assigned; a
   * red index fails with its unassigned shard count.
   */
  public void awaitYellow() {
    // The cluster gives up waiting before the client's own timeout, so a red index is reported as
    // red, not as a timed-out request.
    String seconds = Math.max(1, config.timeout().toSeconds() / 2) + "s";
    JsonNode health =
        raw(
            "GET",
            "/_cluster/health/" + config.index() + "?wait_for_status=yellow&timeout=" + seconds,
            Optional.empty(),
            "wait for the index to be yellow",
            true);
    String status = health.path("status").asText("unknown");
    if (!status.equals("yellow") && !status.equals("green")) {
      throw new OpenSearchClusterException(
          where()
              + " is "
              + status
              + " after "
              + seconds
              + ": "
              + health.path("unassigned_shards").asInt()
              + " unassigned shard(s), "
              + health.path("active_primary_shards").asInt()
              + " of "
              + config.shards()
              + " primaries active; is a data node down?");
    }
  }

  /**
   * Indexes {@code documents} through the bulk API in batches of {@link
   * OpenSearchConfig#batchSize()}, with vectors from {@code encoder} when given (the index is
   * created for them if missing). Requests or documents rejected with 429 are sent again with
   * exponential backoff; other per-document errors are collected in the report, never dropped.
   * Refreshes and flushes before returning, so a report means the documents are searchable and
   * committed.
   */
  public IngestReport ingest(Iterable<Document> documents, Optional<Encoder> encoder) {
    return ingest(documents, encoder, n -> {});
  }

  /**
   * {@link #ingest(Iterable, Optional)}, telling {@code progress} how many documents were sent so
   * far after each batch.
   */
  public IngestReport ingest(
      Iterable<Document> documents, Optional<Encoder> encoder, LongConsumer progress) {
    Objects.requireNonNull(documents, "documents");
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(progress, "progress");
    Optional<VectorSpec> spec = encoder.map(e -> new VectorSpec(e.name(), e.dimension()));
    ensureIndex(spec);
    IngestReport report = new BulkWriter(this, client, encoder, progress).write(documents);
    refreshAndFlush();
    return report;
  }

  /** Makes everything indexed so far searchable and commits it to disk. */
  public void refreshAndFlush() {
    try {
      client.indices().refresh(r -> r.index(config.index()));
      client.indices().flush(f -> f.index(config.index()));
    } catch (IOException | OpenSearchException e) {
      throw failure("refresh and flush", e);
    }
  }

  /** BM25 over the analysed {@code title + text}: up to {@code k} hits, best first. */
  public List<Hit> searchText(String text, int k, String retriever) {
    Objects.requireNonNull(text, "text");
    checkK(k);
    Query q = Query.of(b -> b.match(m -> m.field(IndexLayout.CONTENT).query(FieldValue.of(text))));
    return search(q, k, retriever, "run a BM25 search", s -> s);
  }

  /**
   * k-NN (HNSW, cosine) over the stored vectors: up to {@code k} hits, best first, each scored by
   * its cosine similarity to {@code vector}.
   */
  public List<Hit> searchVector(float[] vector, int k, String retriever) {
    Objects.requireNonNull(vector, "vector");
    checkK(k);
    List<Float> v = new ArrayList<>(vector.length);
    for (int i = 0; i < vector.length; i++) {
      if (!Float.isFinite(vector[i])) {
        throw new IllegalArgumentException(
            "query vector[" + i + "] must be finite, got " + vector[i]);
      }
      v.add(vector[i]);
    }
    // As the embedded index does: the HNSW search gathers a beam of at least EF_SEARCH neighbours
    // and the best k of them are kept, in score order with ties broken by id over the whole beam,
    // so a smaller k is always a prefix of a larger one.
    int beam = Math.max(k, EF_SEARCH);
    JsonData ef = JsonData.of(beam);
    Query q =
        Query.of(
            b ->
                b.knn(
                    n ->
                        n.field(IndexLayout.EMBEDDING)
                            .vector(v)
                            .k(beam)
                            .methodParameters("ef_search", ef)));
    // Lucene's cosine score is (1 + cos) / 2; hits carry the cosine, as the embedded index's do.
    return search(q, k, retriever, "run a k-NN search", s -> 2 * s - 1);
  }

  /**
   * The stored vectors of documents {@code ids}, fetched in one request (for re-scoring first-stage
   * candidates with the vectors the index already holds); ids without a document or a vector are
   * absent from the map.
   */
  public Map<String, float[]> storedVectors(Collection<String> ids) {
    Objects.requireNonNull(ids, "ids");
    if (ids.isEmpty()) {
      return Map.of();
    }
    ObjectNode body = json.createObjectNode();
    ids.forEach(body.putArray("ids")::add);
    JsonNode r =
        raw(
            "POST",
            "/" + config.index() + "/_mget?_source_includes=" + IndexLayout.EMBEDDING,
            Optional.of(body),
            "fetch stored vectors");
    Map<String, float[]> out = new HashMap<>();
    for (JsonNode d : r.path("docs")) {
      JsonNode v = d.path("_source").path(IndexLayout.EMBEDDING);
      if (d.path("found").asBoolean() && v.isArray()) {
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) {
          f[i] = v.get(i).floatValue();
        }
        out.put(d.path("_id").asText(), f);
      }
    }
    return out;
  }

  /** Which of {@code ids} the index holds, in one request. */
  public Set<String> existing(Collection<String> ids) {
    Objects.requireNonNull(ids, "ids");
    if (ids.isEmpty()) {
      return Set.of();
    }
    ObjectNode body = json.createObjectNode();
    ids.forEach(body.putArray("ids")::add);
    JsonNode r =
        raw(
            "POST",
            "/" + config.index() + "/_mget?_source=false",
            Optional.of(body),
            "look documents up");
    Set<String> out = new HashSet<>();
    for (JsonNode d : r.path("docs")) {
      if (d.path("found").asBoolean()) {
        out.add(d.path("_id").asText());
      }
    }
    return out;
  }

  private List<Hit> search(
      Query query, int k, String retriever, String what, DoubleUnaryOperator score) {
    Function<SearchRequest.Builder, ObjectBuilder<SearchRequest>> request =
        s -> {
          s.index(config.index())
              .query(query)
              .size(k)
              .trackScores(true)
              .trackTotalHits(t -> t.enabled(false))
              // Ties are broken on the server by id, larger first, as trec_eval and the embedded
              // index do: every copy of a shard gives the same list, also at the k-th place.
              .sort(o -> o.score(sc -> sc.order(SortOrder.Desc)))
              .sort(o -> o.field(f -> f.field(IndexLayout.ID).order(SortOrder.Desc)))
              .source(
                  src ->
                      src.filter(
                          f -> f.includes(IndexLayout.ID, IndexLayout.TITLE, IndexLayout.BODY)));
          if (config.shards() > 1) {
            s.searchType(SearchType.DfsQueryThenFetch);
          }
          return s;
        };
    SearchResponse<ObjectNode> response;
    try {
      response = client.search(request, ObjectNode.class);
    } catch (IOException | OpenSearchException e) {
      throw failure(what, e);
    }
    checkShards(response.shards(), response.timedOut(), what);
    List<Hit> hits = new ArrayList<>(response.hits().hits().size());
    int rank = 1;
    for (var h : response.hits().hits()) {
      ObjectNode src = h.source();
      if (src == null || h.score() == null) {
        throw new OpenSearchClusterException(
            where() + ": hit '" + h.id() + "' came back without source or score");
      }
      String title = src.path(IndexLayout.TITLE).asText("");
      String body = src.path(IndexLayout.BODY).asText("");
      String text = title.isEmpty() ? body : title + " " + body;
      // The cluster computed a float and printed it shortest-form: read it back as that float.
      double raw = h.score().floatValue();
      hits.add(Hit.firstStage(h.id(), text, rank++, score.applyAsDouble(raw), retriever));
    }
    return List.copyOf(hits);
  }

  private void checkShards(ShardStatistics shards, boolean timedOut, String what) {
    if (shards.failed() > 0) {
      StringBuilder reasons = new StringBuilder();
      for (var f : shards.failures()) {
        reasons.append("; shard ").append(f.shard()).append(": ").append(describe(f.reason()));
      }
      throw new OpenSearchClusterException(
          where()
              + ": "
              + what
              + " answered from only "
              + shards.successful()
              + " of "
              + shards.total()
              + " shards"
              + reasons);
    }
    if (timedOut) {
      throw new OpenSearchClusterException(
          where() + ": " + what + " timed out on the cluster; the results would be partial");
    }
  }

  static void checkK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (k > MAX_K) {
      throw new IllegalArgumentException(
          "k must be <= " + MAX_K + " (OpenSearch's max_result_window), got " + k);
    }
  }

  JsonNode raw(String method, String endpoint, Optional<JsonNode> body, String what) {
    return raw(method, endpoint, body, what, false);
  }

  /**
   * A request through the client's generic API (used where the typed API has no room for the JSON
   * Winnow writes). An HTTP error becomes an {@link OpenSearchClusterException} unless {@code
   * acceptError} (then the error body is returned, e.g. a health response with status 408).
   */
  private JsonNode raw(
      String method, String endpoint, Optional<JsonNode> body, String what, boolean acceptError) {
    var builder = Requests.builder().method(method).endpoint(endpoint);
    if (body.isPresent()) {
      builder.json(body.get().toString());
    }
    int status;
    String text;
    try (Response r = client.generic().execute(builder.build())) {
      status = r.getStatus();
      text = r.getBody().map(Body::bodyAsString).orElse("");
    } catch (IOException e) {
      // The transport throws for an error status; its response body is the cluster's answer.
      status = httpStatus(e);
      if (status < 0) {
        throw failure(what, e);
      }
      text = firstLine(e);
    }
    JsonNode parsed;
    try {
      parsed = text.isBlank() ? MissingNode.getInstance() : json.readTree(text);
    } catch (IOException e) {
      parsed = MissingNode.getInstance();
    }
    if (status >= 300 && !(acceptError && parsed.isObject())) {
      throw new OpenSearchClusterException(
          where() + ": " + what + " failed: HTTP " + status + " " + errorOf(parsed, text));
    }
    if (!parsed.isObject() && !text.isBlank()) {
      throw new OpenSearchClusterException(
          where()
              + ": "
              + what
              + " answered with something other than JSON: "
              + errorOf(parsed, text));
    }
    return parsed;
  }

  private static String errorOf(JsonNode parsed, String text) {
    JsonNode error = parsed.path("error");
    if (error.isObject()) {
      return error.path("type").asText("error") + ": " + error.path("reason").asText("");
    }
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }

  /** "OpenSearch at URLS, index 'NAME'", the start of every message. */
  String where() {
    return "OpenSearch at " + config.describeUrls() + ", index '" + config.index() + "'";
  }

  /** Turns a client failure into a message that names the cluster, the index and the cause. */
  OpenSearchClusterException failure(String what, Exception e) {
    if (e instanceof OpenSearchException ose) {
      String hint = ose.status() == 404 ? " (does the index exist? ingest first)" : "";
      return new OpenSearchClusterException(
          where()
              + ": "
              + what
              + " failed: HTTP "
              + ose.status()
              + " "
              + describe(ose.error())
              + hint,
          e);
    }
    int status = httpStatus(e);
    if (status > 0) {
      return new OpenSearchClusterException(
          where() + ": " + what + " failed: HTTP " + status + " " + firstLine(e), e);
    }
    Throwable root = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      root = t;
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof SocketTimeoutException
          || t.getClass().getSimpleName().contains("Timeout")) {
        break;
      }
    }
    String cause = root.getClass().getSimpleName() + ": " + root.getMessage();
    String kind =
        root instanceof SocketTimeoutException
                || root.getClass().getSimpleName().contains("Timeout")
            ? "timed out after " + config.timeout().toSeconds() + " s"
            : root instanceof ConnectException || root instanceof UnknownHostException
                ? "no node reachable"
                : "request failed";
    return new OpenSearchClusterException(
        where() + ": could not " + what + ": " + kind + " (" + cause + ")", e);
  }

  /** The HTTP status an exception carries (OpenSearch's error or the transport's), else -1. */
  static int httpStatus(Exception e) {
    if (e instanceof OpenSearchException ose) {
      return ose.status();
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ResponseException re) {
        return re.status();
      }
    }
    return -1;
  }

  /** The error part of a transport failure: the response body's last line, or the message. */
  static String firstLine(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ResponseException re && re.getMessage() != null) {
        String[] lines = re.getMessage().split("\n");
        return lines[lines.length - 1];
      }
    }
    return String.valueOf(e.getMessage());
  }

  static String describe(ErrorCause error) {
    if (error == null) {
      return "unknown error";
    }
    String s = error.type() + ": " + error.reason();
    if (error.causedBy() != null) {
      s += " (caused by " + error.causedBy().type() + ": " + error.causedBy().reason() + ")";
    }
    return s;
  }

  ObjectMapper json() {
    return json;
  }

  static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OpenSearchClusterException("interrupted while backing off before a retry", e);
    }
  }

  @Override
  public void close() {
    try {
      transport.close();
    } catch (IOException e) {
      throw new OpenSearchClusterException(where() + ": closing the client failed", e);
    }
  }

  @Override
  public String toString() {
    return where();
  }
}
