package dev.winnow.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * One request/response pair: reads its body as it arrives, answers exactly once and records the
 * outcome in the metrics. Routes see the request through the accessors here; the body, the answer
 * state and the disconnect probe are private.
 *
 * <p>Thread-safe where it must be: the body read, its deadline and the answer can race, and only
 * the first of them ends the exchange.
 */
final class Exchange {

  private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

  /** Status recorded for a client that went away before its answer (nginx's convention). */
  static final int CLIENT_CLOSED = 499;

  private final Request request;
  private final Response response;
  private final Callback callback;
  private final Route route;
  private final ServerMetrics metrics;
  private final ObjectMapper mapper;
  private final long startNanos = System.nanoTime();
  private final long deadlineNanos;
  private final AtomicBoolean answered = new AtomicBoolean();
  private volatile Optional<DisconnectProbe> probe = Optional.empty();

  /**
   * Set once the request body has been read to its end or can no longer be read; until then an
   * answer is followed by a {@link BodyDrain}.
   */
  private volatile boolean bodyEnded;

  Exchange(
      Request request,
      Response response,
      Callback callback,
      ServerMetrics metrics,
      ObjectMapper mapper,
      long timeoutNanos) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.metrics = metrics;
    this.mapper = mapper;
    this.deadlineNanos = startNanos + timeoutNanos;
    this.route = Route.of(request.getHttpURI().getPath());
    metrics.requestStarted();
  }

  Route route() {
    return route;
  }

  /** The method, with {@code HEAD} read as the {@code GET} it asks the headers of. */
  String method() {
    String m = request.getMethod();
    return m.equals("HEAD") ? "GET" : m;
  }

  /** The path as sent, still percent-encoded. */
  String rawPath() {
    return request.getHttpURI().getPath();
  }

  Optional<String> header(HttpHeader name) {
    return Optional.ofNullable(request.getHeaders().get(name));
  }

  void setHeader(HttpHeader name, String value) {
    response.getHeaders().put(name, value);
  }

  void setHeader(String name, String value) {
    response.getHeaders().put(name, value);
  }

  long startNanos() {
    return startNanos;
  }

  /** Nanoseconds left before the request deadline (at least 1). */
  long remainingNanos() {
    return Math.max(1, deadlineNanos - System.nanoTime());
  }

  /** Runs {@code onGone} once if the client disconnects before its answer. */
  void onDisconnect(Runnable onGone) {
    request.addFailureListener(failure -> onGone.run());
    probe = DisconnectProbe.watch(request, onGone);
  }

  /**
   * Reads the body without holding a thread (a stalled or trickling body costs a connection, not
   * one of the pool's threads), then parses it under {@code json}'s limits; {@code then} runs on a
   * pool thread with the parsed tree. Refuses first what costs nothing to refuse: a content type
   * other than JSON, a compressed body, a declared length over the limit.
   */
  void readJson(JsonLimits json, long maxBytes, long timeoutMs, Consumer<JsonNode> then) {
    String contentType = header(HttpHeader.CONTENT_TYPE).orElse(null);
    if (contentType != null && !isJson(contentType)) {
      throw new ApiError(
          ApiError.Kind.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type must be application/json (UTF-8), got '" + clip(contentType) + "'");
    }
    requireIdentityCoding(HttpHeader.TRANSFER_ENCODING, "chunked");
    requireIdentityCoding(HttpHeader.CONTENT_ENCODING, "identity");
    long declared = request.getLength();
    if (declared > maxBytes) {
      setHeader(HttpHeader.CONNECTION, "close");
      throw tooLarge(declared, maxBytes);
    }
    new BodyReader(maxBytes, body -> then.accept(json.parse(body))).start(timeoutMs);
  }

  /** Compressed bodies are refused: Jetty would hand them over as if they were plain JSON. */
  private void requireIdentityCoding(HttpHeader header, String allowed) {
    Optional<String> value = header(header);
    if (value.isEmpty()) {
      return;
    }
    for (String coding : value.get().split(",")) {
      String c = coding.trim().toLowerCase(Locale.ROOT);
      if (!c.isEmpty() && !c.equals(allowed) && !c.equals("identity")) {
        setHeader(HttpHeader.CONNECTION, "close");
        throw new ApiError(
            ApiError.Kind.UNSUPPORTED_MEDIA_TYPE,
            header.asString()
                + " '"
                + clip(value.get())
                + "' is not accepted; send the JSON body uncompressed"
                + (header == HttpHeader.TRANSFER_ENCODING ? " (chunked or with a length)" : ""));
      }
    }
  }

  /** Runs one step, answering its failure in the route's error shape. */
  void guarded(Runnable step) {
    try {
      step.run();
    } catch (ApiError e) {
      fail(e);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "unexpected failure on " + route.path, e);
      fail(new ApiError(ApiError.Kind.BACKEND, "internal error: " + e.getClass().getName()));
    }
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
    e.reason().ifPresent(r -> metrics.rejected(r.label));
    e.retryAfterSeconds().ifPresent(s -> setHeader(HttpHeader.RETRY_AFTER, Integer.toString(s)));
    json(e.status(), route.errorDialect().error(e));
  }

  void send(int status, String contentType, byte[] bytes) {
    if (!answered.compareAndSet(false, true)) {
      return;
    }
    if (probe.isPresent() && probe.get().disarm()) {
      setHeader(HttpHeader.CONNECTION, "close");
    }
    response.setStatus(status);
    setHeader(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    // HEAD: the headers of the GET, no body (Jetty would drop it; not writing it costs nothing).
    ByteBuffer content =
        request.getMethod().equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(bytes);
    response.write(
        true,
        content,
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

  private static ApiError tooLarge(long bytes, long max) {
    return new ApiError(
            ApiError.Kind.BODY_TOO_LARGE,
            "request body of "
                + (bytes > max ? "more than " + max : bytes)
                + " bytes exceeds this server's limit of "
                + max
                + " bytes")
        .because(ApiError.Reason.BODY_TOO_LARGE);
  }

  private static ApiError bodyTimeout() {
    return new ApiError(
            ApiError.Kind.REQUEST_TIMEOUT,
            "the request body stopped arriving (read timeout); send the whole body promptly")
        .because(ApiError.Reason.BODY_TIMEOUT);
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

  static boolean isJson(String contentType) {
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

  static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  /**
   * Reads the body chunk by chunk as it arrives ({@code Request.read}/{@code demand}, the Jetty 12
   * idiom), keeping only the bytes received ({@link RequestBody}); refuses it once it passes the
   * limit, answers 408 when it stops arriving (the idle timeout fails the read, or the deadline
   * passes) and 400 on another read failure.
   */
  private final class BodyReader implements Runnable {
    private final long maxBytes;
    private final Consumer<RequestBody> then;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final RequestBody body = new RequestBody();
    private Scheduler.Task deadline;

    BodyReader(long maxBytes, Consumer<RequestBody> then) {
      this.maxBytes = maxBytes;
      this.then = then;
    }

    void start(long timeoutMs) {
      deadline =
          request
              .getComponents()
              .getScheduler()
              .schedule(this::expire, timeoutMs, TimeUnit.MILLISECONDS);
      run();
    }

    private void expire() {
      if (finished.compareAndSet(false, true)) {
        bodyEnded = true; // stalled: nothing to drain
        setHeader(HttpHeader.CONNECTION, "close");
        fail(bodyTimeout());
      }
    }

    /** True for the one caller that ends the read (completion, failure or the deadline). */
    private boolean finish() {
      deadline.cancel();
      return finished.compareAndSet(false, true);
    }

    @Override
    public void run() {
      guarded(this::readAvailable);
    }

    private void readAvailable() {
      while (true) {
        if (finished.get()) {
          return; // answered 408 already
        }
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          bodyEnded = true;
          finish();
          throw timedOut(chunk.getFailure())
              ? bodyTimeout()
              : ApiError.malformed(
                  "could not read the request body: " + chunk.getFailure().getMessage());
        }
        ByteBuffer b = chunk.getByteBuffer();
        long total = body.length() + b.remaining();
        if (total > maxBytes) {
          chunk.release();
          finish();
          setHeader(HttpHeader.CONNECTION, "close");
          throw tooLarge(total, maxBytes);
        }
        body.append(b);
        boolean last = chunk.isLast();
        chunk.release();
        if (last) {
          bodyEnded = true;
          if (finish()) {
            then.accept(body);
          }
          return;
        }
      }
    }
  }
}
