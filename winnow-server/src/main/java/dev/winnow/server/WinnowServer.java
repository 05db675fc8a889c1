package dev.winnow.server;

import dev.winnow.api.CrossEncoder;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.pipeline.OnnxPassages;
import dev.winnow.pipeline.PassageScorer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Winnow's HTTP server: the Cohere v1/v2, Jina and TEI rerank dialects plus health, readiness,
 * info, Prometheus metrics and an OpenAPI document, all in front of one {@link PairScheduler}.
 *
 * <p>Lifecycle: {@link #start} binds (port 0 picks one, see {@link #port}); {@link #shutdown} turns
 * readiness off, refuses new work with 503, waits for requests in flight up to the drain timeout,
 * then stops. The cross-encoder belongs to the caller and is not closed here.
 *
 * <p>Thread-safe. Jetty's pool ({@code winnow-http-N}) parses and answers requests; the scheduler's
 * threads ({@code winnow-scorer-N}) run the model; answers are written back on the HTTP pool.
 */
public final class WinnowServer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(WinnowServer.class.getName());

  /** Longest time a request body may take to arrive in full (the request timeout when shorter). */
  static final long BODY_READ_TIMEOUT_MS = 10_000;

  /** Slowest accepted request body, averaged from the start of the request. */
  static final long MIN_BODY_BYTES_PER_SECOND = 1024;

  private final ServerConfig config;
  private final CrossEncoder encoder;
  private final ServerMetrics metrics = new ServerMetrics();
  private final Server jetty;
  private final ServerConnector connector;
  private final PairScheduler scheduler;
  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Optional<WinnowIndex> index;

  public WinnowServer(CrossEncoder encoder, ServerConfig config) {
    this(encoder, config, Optional.empty());
  }

  /**
   * With an index, the server also answers {@code POST /v1/search}, {@code POST /v1/documents} and
   * {@code GET}/{@code DELETE /v1/documents/{id}}. The index belongs to the caller.
   */
  public WinnowServer(CrossEncoder encoder, ServerConfig config, Optional<WinnowIndex> index) {
    this(encoder, config, index, PairScheduler.PairCost.CHARACTERS);
  }

  WinnowServer(
      CrossEncoder encoder,
      ServerConfig config,
      Optional<WinnowIndex> index,
      PairScheduler.PairCost cost) {
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.config = Objects.requireNonNull(config, "config");
    QueuedThreadPool pool = new QueuedThreadPool(64, 4);
    pool.setName("winnow-http");
    this.jetty = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(true);
    http.setRequestHeaderSize(16 * 1024);
    // Document ids are read from the raw path segment (Route.documentId), so an encoded '/', ';'
    // or '.' in an id is data, not an ambiguity for Jetty to refuse.
    http.setUriCompliance(
        UriCompliance.DEFAULT.with(
            "winnow",
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_PATH_PARAMETER,
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
            UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
            UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS));
    // Bodies are read without holding a thread (Exchange.BodyReader); one trickling in slower
    // than MIN_BODY_BYTES_PER_SECOND is cut off with 408, as is one that stops arriving for
    // BODY_READ_TIMEOUT_MS (or the request timeout when shorter).
    http.setMinRequestDataRate(MIN_BODY_BYTES_PER_SECOND);
    this.connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(config.host());
    connector.setPort(config.port());
    connector.setIdleTimeout(config.requestTimeout().toMillis() + 5_000);
    jetty.addConnector(connector);
    Optional<PassageScorer> tokenizer = tokenizer(encoder);
    this.scheduler = new PairScheduler(encoder, tokenizer, config, metrics, cost);
    Executor answers = pool;
    Optional<CorpusRoutes> corpus =
        index.map(
            i ->
                new CorpusRoutes(
                    i,
                    new SchedulingCrossEncoder(encoder, scheduler, config.requestTimeout()),
                    config.maxDocuments(),
                    config.maxResponseBytes()));
    this.index = index;
    JsonLimits json = new JsonLimits(config.maxBodyBytes(), config.maxDocuments());
    BooleanSupplier serving = () -> ready.get() && !draining.get();
    OpsRoutes ops =
        new OpsRoutes(
            encoder,
            tokenizer.isPresent(),
            config,
            metrics,
            serving,
            corpus,
            json.mapper(),
            new OpenApi(json.mapper(), config, this::baseUrl));
    jetty.setHandler(
        new FrontDoor(
            config,
            metrics,
            serving,
            json,
            ops,
            new RerankRoute(encoder, tokenizer, config, scheduler, answers),
            corpus));
    jetty.setErrorHandler(new JsonErrorHandler());
    jetty.setStopTimeout(2_000);
  }

  /**
   * The engine's tokenizer, which Cohere chunking and TEI's {@code truncate: false} need: the
   * encoder itself when it is a {@link PassageScorer}, the ONNX engine's, else none.
   */
  static Optional<PassageScorer> tokenizer(CrossEncoder encoder) {
    if (encoder instanceof PassageScorer p) {
      return Optional.of(p);
    }
    if (encoder instanceof OnnxCrossEncoder onnx) {
      return Optional.of(new OnnxPassages(onnx));
    }
    return Optional.empty();
  }

  /** Binds and starts answering; readiness turns on once the server accepts connections. */
  public WinnowServer start() {
    try {
      // One writer per index: a second server on the same directory refuses to start here.
      index.ifPresent(i -> i.claimWrites(holder()));
    } catch (IllegalStateException e) {
      scheduler.close();
      throw e;
    }
    try {
      jetty.start();
    } catch (Exception e) {
      scheduler.close();
      throw new IllegalStateException(
          "cannot start the server on " + config.host() + ":" + config.port() + ": " + e, e);
    }
    ready.set(true);
    LOG.log(
        System.Logger.Level.INFO,
        "winnow serving {0} on http://{1}:{2,number,#}",
        encoder.name(),
        config.host(),
        port());
    return this;
  }

  private String holder() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "this host";
    }
    return "winnow serve (pid "
        + ProcessHandle.current().pid()
        + " on "
        + host
        + ", "
        + config.host()
        + ":"
        + config.port()
        + ", since "
        + java.time.Instant.now()
        + ")";
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  public String baseUrl() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return "http://" + host + ":" + port();
  }

  public boolean ready() {
    return ready.get();
  }

  ServerMetrics metrics() {
    return metrics;
  }

  /**
   * Graceful stop: not ready, new requests get 503, requests in flight get up to {@code drain} to
   * finish, then the connector closes and queued work is dropped. Idempotent.
   *
   * @return true when every request in flight finished within the deadline
   */
  public boolean shutdown(Duration drain) {
    if (!stopped.compareAndSet(false, true)) {
      return true;
    }
    ready.set(false);
    draining.set(true);
    long deadline = System.nanoTime() + drain.toNanos();
    boolean drained = true;
    while (metrics.inFlight() > 0) {
      if (System.nanoTime() >= deadline) {
        drained = false;
        break;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        drained = false;
        break;
      }
    }
    scheduler.close();
    try {
      jetty.stop();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "error while stopping the HTTP server", e);
    }
    LOG.log(
        System.Logger.Level.INFO,
        drained ? "winnow stopped after draining" : "winnow stopped; some requests were cut");
    return drained;
  }

  @Override
  public void close() {
    shutdown(config.drainTimeout());
  }

  /** Jetty's own errors (bad request lines, oversized headers) as {@code {"message": ...}}. */
  private static final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Object m = request.getAttribute(ERROR_MESSAGE);
      String message = m instanceof String s && !s.isBlank() ? s : "bad request";
      String body =
          "{\"message\":"
              + com.fasterxml.jackson.databind.node.TextNode.valueOf(message).toString()
              + "}";
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
      return true;
    }
  }

  static byte[] readResource(String name) {
    try (InputStream in = WinnowServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
