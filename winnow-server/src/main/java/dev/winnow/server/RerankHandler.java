package dev.winnow.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.PairScore;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.TextPair;
import dev.winnow.index.IndexHealth;
import dev.winnow.pipeline.PassageScorer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes requests, enforces limits in the order that costs least first (route, method, key,
 * readiness, content type, declared size, read size, UTF-8, JSON, fields, queue), hands rerank work
 * to the scheduler and answers asynchronously. Thread-safe and stateless apart from its
 * collaborators.
 */
final class RerankHandler extends Handler.Abstract {

  private static final System.Logger LOG = System.getLogger(RerankHandler.class.getName());

  /** Status recorded for a client that went away before its answer (nginx's convention). */
  static final int CLIENT_CLOSED = 499;

  private final CrossEncoder encoder;
  private final Optional<PassageScorer> tokenizer;
  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final PairScheduler scheduler;
  private final Executor answers;
  private final BooleanSupplier ready;
  private final BooleanSupplier draining;
  private final JsonLimits json;
  private final ObjectMapper mapper;
  private final Optional<ApiKey> key;
  private final byte[] openApi;
  private final String version;
  private final Optional<CorpusRoutes> corpus;

  RerankHandler(
      CrossEncoder encoder,
      Optional<PassageScorer> tokenizer,
      ServerConfig config,
      ServerMetrics metrics,
      PairScheduler scheduler,
      Executor answers,
      BooleanSupplier ready,
      BooleanSupplier draining,
      Optional<CorpusRoutes> corpus) {
    this.corpus = corpus;
    this.encoder = encoder;
    this.tokenizer = tokenizer;
    this.config = config;
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.answers = answers;
    this.ready = ready;
    this.draining = draining;
    this.json = new JsonLimits(config.maxBodyBytes());
    this.mapper = json.mapper();
    this.key = config.apiKey().map(ApiKey::new);
    this.openApi = WinnowServer.readResource("openapi.json");
    String v = WinnowServer.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Exchange ex = new Exchange(request, response, callback);
    guarded(ex, () -> route(ex));
    return true;
  }

  /** Runs one step of an exchange, answering its failure in the route's error shape. */
  private void guarded(Exchange ex, Runnable step) {
    try {
      step.run();
    } catch (ApiError e) {
      ex.fail(e);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "unexpected failure on " + ex.route.path, e);
      ex.fail(new ApiError(ApiError.Kind.BACKEND, "internal error: " + e.getClass().getName()));
    }
  }

  private void route(Exchange ex) {
    Route route = ex.route;
    if (route == Route.UNKNOWN) {
      throw new ApiError(
          ApiError.Kind.NOT_FOUND,
          "no route " + ex.request.getMethod() + " " + Request.getPathInContext(ex.request));
    }
    String method = ex.request.getMethod();
    if (!route.methods.contains(method)) {
      ex.response.getHeaders().put(HttpHeader.ALLOW, route.allow());
      throw new ApiError(
          ApiError.Kind.METHOD_NOT_ALLOWED,
          route.path + " answers " + route.allow() + " only, got " + method);
    }
    if (key.isPresent()
        && (!route.operational || config.protectOperational())
        && !key.get()
            .accepts(Optional.ofNullable(ex.request.getHeaders().get(HttpHeader.AUTHORIZATION)))) {
      metrics.rejected("unauthorized");
      ex.response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      throw new ApiError(
          ApiError.Kind.UNAUTHORIZED, "missing or invalid API key (Authorization: Bearer <key>)");
    }
    switch (route) {
      case HEALTH -> ex.json(200, mapper.createObjectNode().put("status", "ok"));
      case READY -> {
        boolean r = ready.getAsBoolean() && !draining.getAsBoolean();
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
      case INFO -> ex.json(200, info());
      case METRICS ->
          ex.send(
              200,
              "text/plain; version=0.0.4; charset=utf-8",
              metrics.render().getBytes(StandardCharsets.UTF_8));
      case OPENAPI -> ex.send(200, "application/json", openApi);
      case RERANK_V1, RERANK_V2, RERANK_TEI -> {
        requireReady();
        withJson(ex, tree -> rerank(ex, route.dialect.orElseThrow(), tree));
      }
      case SEARCH -> {
        CorpusRoutes c = corpus(ex);
        withJson(ex, tree -> ex.json(200, c.search(tree)));
      }
      case DOCUMENTS -> {
        CorpusRoutes c = corpus(ex);
        withJson(ex, tree -> ex.json(200, c.add(tree)));
      }
      case DOCUMENT -> document(ex);
      default -> throw new IllegalStateException("unrouted " + route);
    }
  }

  private void requireReady() {
    if (draining.getAsBoolean() || !ready.getAsBoolean()) {
      metrics.rejected("not_ready");
      throw new ApiError(
          ApiError.Kind.UNAVAILABLE,
          "the server is not ready (starting or shutting down)",
          Optional.of(1));
    }
  }

  private CorpusRoutes corpus(Exchange ex) {
    if (corpus.isEmpty()) {
      throw new ApiError(
          ApiError.Kind.NOT_FOUND,
          Request.getPathInContext(ex.request)
              + " needs an index: start the server with --index DIR");
    }
    requireReady();
    return corpus.get();
  }

  private void document(Exchange ex) {
    CorpusRoutes c = corpus(ex);
    String id = Request.getPathInContext(ex.request).substring(Route.DOCUMENT_PREFIX.length());
    Optional<JsonNode> answer = ex.request.getMethod().equals("DELETE") ? c.delete(id) : c.get(id);
    ex.json(
        200,
        answer.orElseThrow(
            () -> new ApiError(ApiError.Kind.NOT_FOUND, "no document with id '" + id + "'")));
  }

  private void rerank(Exchange ex, Dialect dialect, JsonNode tree) {
    RerankCall call;
    try {
      call = dialect.parse(tree, encoder, config.maxDocuments());
    } catch (ApiError e) {
      if (e.getMessage().contains("this server accepts at most")) {
        metrics.rejected("too_many_documents");
      }
      throw e;
    }
    int maxLength = call.options().maxLength().orElse(encoder.maxLength());
    Optional<LongInputs.Plan> chunks = Optional.empty();
    PairScheduler.Ticket ticket;
    try {
      // Every document is at least one pair: a request the queue cannot take is refused before
      // its texts are tokenized, so overload stays cheap to turn away.
      scheduler.requireRoom(call.texts().size());
      // Cohere's chunking and TEI's truncate: false need the engine's tokenizer; without one (not
      // the ONNX engine) a document is read as one window the engine truncates.
      if (call.chunking().isPresent() && tokenizer.isPresent()) {
        chunks =
            Optional.of(
                LongInputs.chunk(
                    tokenizer.get(), call.query(), call.texts(), maxLength, call.chunking().get()));
      }
      if (!call.truncate()) {
        LongInputs.requireFits(
            tokenizer.orElseThrow(
                () ->
                    ApiError.invalid(
                        "truncate: false needs the model's tokenizer to count tokens, and this"
                            + " engine exposes none; send \"truncate\": true")),
            call.query(),
            call.texts(),
            "texts",
            maxLength);
      }
      if (chunks.isPresent()) {
        ticket = scheduler.submitTokenized(chunks.get().pairs(), call.options());
      } else {
        List<TextPair> pairs = new ArrayList<>(call.texts().size());
        for (String t : call.texts()) {
          pairs.add(new TextPair(call.query(), t));
        }
        ticket = scheduler.submit(pairs, call.options());
      }
    } catch (PairScheduler.Rejected r) {
      metrics.rejected(r.closed ? "not_ready" : "queue_full");
      throw new ApiError(
          r.closed ? ApiError.Kind.UNAVAILABLE : ApiError.Kind.OVERLOADED,
          r.getMessage(),
          Optional.of(1));
    }
    Optional<LongInputs.Plan> plan = chunks;
    ex.request.addFailureListener(failure -> ticket.cancel("disconnect"));
    ex.probe = DisconnectProbe.watch(ex.request, () -> ticket.cancel("disconnect"));
    long remaining = ex.deadlineNanos - System.nanoTime();
    ticket
        .result()
        .orTimeout(Math.max(1, remaining), TimeUnit.NANOSECONDS)
        .whenCompleteAsync(
            (scores, error) -> {
              try {
                if (error == null) {
                  answer(ex, dialect, call, plan, ticket, scores);
                } else {
                  failed(ex, ticket, error);
                }
              } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "could not answer a rerank request", e);
                ex.fail(new ApiError(ApiError.Kind.BACKEND, "internal error"));
              }
            },
            answers);
  }

  /**
   * Content type and declared size now, then the body read without holding a thread (a stalled or
   * trickling body costs a connection, not one of the pool's threads), then strict UTF-8 and JSON
   * limits; {@code then} runs on a pool thread with the parsed tree.
   */
  void withJson(Exchange ex, java.util.function.Consumer<JsonNode> then) {
    String contentType = ex.request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (contentType != null && !isJson(contentType)) {
      throw new ApiError(
          ApiError.Kind.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type must be application/json (UTF-8), got '" + clip(contentType) + "'");
    }
    long declared = ex.request.getLength();
    if (declared > config.maxBodyBytes()) {
      metrics.rejected("body_too_large");
      ex.response.getHeaders().put(HttpHeader.CONNECTION, "close");
      throw tooLarge(declared);
    }
    new BodyReader(ex, declared, (body, length) -> then.accept(json.parse(body, length))).start();
  }

  /** What to do with a body read in full. */
  private interface BodyConsumer {
    void accept(byte[] body, int length);
  }

  /**
   * Reads a request body chunk by chunk as it arrives ({@code Request.read}/{@code demand}, the
   * Jetty 12 idiom); refuses it once it passes the limit, answers 408 when it stops arriving (the
   * idle timeout fails the read) and 400 on another read failure.
   */
  private final class BodyReader implements Runnable {
    private final Exchange ex;
    private final BodyConsumer then;
    private final AtomicBoolean finished = new AtomicBoolean();
    private byte[] body;
    private int length;
    private org.eclipse.jetty.util.thread.Scheduler.Task deadline;

    BodyReader(Exchange ex, long declared, BodyConsumer then) {
      this.ex = ex;
      this.then = then;
      this.body = new byte[(int) Math.min(config.maxBodyBytes() + 1, Math.max(declared, 8192))];
    }

    /** Reads what has arrived and asks to be called again; a body late in full gets 408. */
    void start() {
      long ms = Math.min(config.requestTimeout().toMillis(), WinnowServer.BODY_READ_TIMEOUT_MS);
      deadline =
          ex.request
              .getComponents()
              .getScheduler()
              .schedule(this::expire, ms, TimeUnit.MILLISECONDS);
      run();
    }

    private void expire() {
      if (finished.compareAndSet(false, true)) {
        ex.bodyEnded = true; // stalled: nothing to drain
        metrics.rejected("body_timeout");
        ex.response.getHeaders().put(HttpHeader.CONNECTION, "close");
        ex.fail(
            new ApiError(
                ApiError.Kind.REQUEST_TIMEOUT,
                "the request body stopped arriving (read timeout); send the whole body promptly"));
      }
    }

    /** True for the one caller that ends the read (completion, failure or the deadline). */
    private boolean finish() {
      deadline.cancel();
      return finished.compareAndSet(false, true);
    }

    @Override
    public void run() {
      guarded(ex, this::readAvailable);
    }

    private void readAvailable() {
      while (true) {
        if (finished.get()) {
          return; // answered 408 already
        }
        Content.Chunk chunk = ex.request.read();
        if (chunk == null) {
          ex.request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          ex.bodyEnded = true;
          finish();
          throw readFailed(chunk.getFailure());
        }
        ByteBuffer b = chunk.getByteBuffer();
        int n = b.remaining();
        if ((long) length + n > config.maxBodyBytes()) {
          chunk.release();
          finish();
          ex.response.getHeaders().put(HttpHeader.CONNECTION, "close");
          metrics.rejected("body_too_large");
          throw tooLarge((long) length + n);
        }
        if (length + n > body.length) {
          long grown = Math.max((long) length + n, 2L * body.length);
          body = Arrays.copyOf(body, (int) Math.min(config.maxBodyBytes() + 1, grown));
        }
        b.get(body, length, n);
        length += n;
        boolean last = chunk.isLast();
        chunk.release();
        if (last) {
          ex.bodyEnded = true;
          if (finish()) {
            then.accept(body, length);
          }
          return;
        }
      }
    }

    private ApiError readFailed(Throwable failure) {
      if (timedOut(failure)) {
        metrics.rejected("body_timeout");
        return new ApiError(
            ApiError.Kind.REQUEST_TIMEOUT,
            "the request body stopped arriving (read timeout); send the whole body promptly");
      }
      return ApiError.malformed("could not read the request body: " + failure.getMessage());
    }
  }

  private void answer(
      Exchange ex,
      Dialect dialect,
      RerankCall call,
      Optional<LongInputs.Plan> chunks,
      PairScheduler.Ticket ticket,
      List<PairScore> pairScores) {
    List<PairScore> scores = chunks.isPresent() ? chunks.get().best(pairScores) : pairScores;
    List<RankedDocument> ranked = new ArrayList<>(scores.size());
    long tokens = 0;
    for (int i = 0; i < scores.size(); i++) {
      PairScore s = scores.get(i);
      ranked.add(new RankedDocument(i, Integer.toString(i), s.logit(), s.score()));
      tokens += s.tokens();
    }
    ranked.sort(RankedDocument.ORDER);
    JsonNode body =
        dialect.render(call, ranked, new Dialect.Usage(tokens, pairScores.size()), encoder.name());
    var h = ex.response.getHeaders();
    h.put("x-total-time", Long.toString(millis(System.nanoTime() - ex.startNanos)));
    h.put("x-queue-time", Long.toString(millis(ticket.queueNanos())));
    h.put("x-inference-time", Long.toString(millis(ticket.inferenceNanos())));
    ex.json(200, body);
  }

  private void failed(Exchange ex, PairScheduler.Ticket ticket, Throwable error) {
    Throwable e =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof TimeoutException) {
      ticket.cancel("deadline");
      metrics.rejected("deadline");
      ex.fail(
          new ApiError(
              ApiError.Kind.DEADLINE,
              "the request was not scored within "
                  + config.requestTimeout().toMillis()
                  + " ms; the server is overloaded, retry later",
              Optional.of(1)));
    } else if (e instanceof CancellationException c && "disconnect".equals(c.getMessage())) {
      ex.abandon(c);
    } else if (e instanceof CancellationException) {
      ex.fail(
          new ApiError(ApiError.Kind.UNAVAILABLE, "the server is shutting down", Optional.of(1)));
    } else {
      LOG.log(System.Logger.Level.ERROR, "the model failed while scoring a batch", e);
      ex.fail(new ApiError(ApiError.Kind.BACKEND, "the model failed: " + e.getMessage()));
    }
  }

  private JsonNode info() {
    ObjectNode root = mapper.createObjectNode();
    root.put("model", encoder.name());
    root.put("version", version);
    root.put("max_length", encoder.maxLength());
    root.put("default_activation", encoder.defaultActivation().label());
    // Cohere routes split long documents into chunks only with the engine's tokenizer.
    root.put("long_documents", tokenizer.isPresent() ? "chunks" : "truncate");
    ObjectNode limits = root.putObject("limits");
    limits.put("max_documents", config.maxDocuments());
    limits.put("max_body_bytes", config.maxBodyBytes());
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
    root.put("auth", key.isPresent() ? "bearer" : "none");
    return root;
  }

  private ApiError tooLarge(long bytes) {
    return new ApiError(
        ApiError.Kind.BODY_TOO_LARGE,
        "request body of "
            + (bytes > config.maxBodyBytes() ? "more than " + config.maxBodyBytes() : bytes)
            + " bytes exceeds this server's limit of "
            + config.maxBodyBytes()
            + " bytes");
  }

  private static boolean timedOut(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TimeoutException
          || c instanceof java.net.SocketTimeoutException
          || c instanceof java.io.InterruptedIOException) {
        return true;
      }
    }
    return false;
  }

  private static boolean isJson(String contentType) {
    String[] parts = contentType.toLowerCase(Locale.ROOT).split(";");
    String media = parts[0].trim();
    if (!media.equals("application/json") && !media.endsWith("+json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.startsWith("charset=")) {
        String cs = p.substring(8).replace("\"", "").trim();
        if (!cs.equals("utf-8") && !cs.equals("utf8")) {
          return false;
        }
      }
    }
    return true;
  }

  private static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** One request/response pair; answers exactly once and records the outcome in the metrics. */
  final class Exchange {
    final Request request;
    final Response response;
    final Callback callback;
    final Route route;
    final long startNanos = System.nanoTime();
    final long deadlineNanos = startNanos + config.requestTimeout().toNanos();
    private final AtomicBoolean answered = new AtomicBoolean();
    Optional<DisconnectProbe> probe = Optional.empty();

    /**
     * Set once the request body has been read to its end or can no longer be read; until then an
     * answer is followed by a {@link BodyDrain}.
     */
    volatile boolean bodyEnded;

    Exchange(Request request, Response response, Callback callback) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.route = Route.of(Request.getPathInContext(request));
      metrics.requestStarted();
    }

    void json(int status, JsonNode body) {
      byte[] bytes;
      try {
        bytes = mapper.writeValueAsBytes(body);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot render a response", e);
      }
      send(status, "application/json", bytes);
    }

    void fail(ApiError e) {
      e.retryAfterSeconds()
          .ifPresent(s -> response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(s)));
      json(e.status(), route.errorDialect().error(e));
    }

    void send(int status, String contentType, byte[] bytes) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      if (probe.isPresent() && probe.get().disarm()) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      }
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
      response.write(
          true,
          ByteBuffer.wrap(bytes),
          Callback.from(
              () -> {
                metrics.requestFinished(route.path, status, System.nanoTime() - startNanos);
                if (bodyEnded) {
                  callback.succeeded();
                } else {
                  BodyDrain.start(request, WinnowServer.BODY_READ_TIMEOUT_MS, callback::succeeded);
                }
              },
              x -> {
                metrics.requestFinished(route.path, CLIENT_CLOSED, System.nanoTime() - startNanos);
                callback.failed(x);
              }));
    }

    /** The client went away: nothing to write. */
    void abandon(Throwable cause) {
      if (answered.compareAndSet(false, true)) {
        probe.ifPresent(DisconnectProbe::disarm);
        metrics.requestFinished(route.path, CLIENT_CLOSED, System.nanoTime() - startNanos);
        callback.failed(cause);
      }
    }
  }
}
