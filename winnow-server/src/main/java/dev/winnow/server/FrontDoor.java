package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The router: checks, in the order that costs least first, the key (before anything about routes is
 * revealed), the route, the method and readiness, then hands the exchange to its room: {@link
 * OpsRoutes}, {@link RerankRoute} or {@link CorpusRoutes}. Content type, size, UTF-8 and JSON
 * limits are checked while the body is read ({@link Exchange#readJson}). Thread-safe and stateless
 * apart from its collaborators.
 */
final class FrontDoor extends Handler.Abstract {

  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final BooleanSupplier ready;
  private final JsonLimits json;
  private final Optional<ApiKey> key;
  private final OpsRoutes ops;
  private final RerankRoute rerank;
  private final Optional<CorpusRoutes> corpus;

  FrontDoor(
      ServerConfig config,
      ServerMetrics metrics,
      BooleanSupplier ready,
      JsonLimits json,
      OpsRoutes ops,
      RerankRoute rerank,
      Optional<CorpusRoutes> corpus) {
    this.config = config;
    this.metrics = metrics;
    this.ready = ready;
    this.json = json;
    this.key = config.apiKey().map(ApiKey::new);
    this.ops = ops;
    this.rerank = rerank;
    this.corpus = corpus;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Exchange ex =
        new Exchange(
            request, response, callback, metrics, json.mapper(), config.requestTimeout().toNanos());
    ex.guarded(() -> route(ex));
    return true;
  }

  private void route(Exchange ex) {
    Route route = ex.route();
    // The key first: without it a client learns nothing, not even which routes exist.
    if (key.isPresent()
        && (!route.operational || config.protectOperational())
        && !key.get().accepts(ex.header(HttpHeader.AUTHORIZATION))) {
      ex.setHeader(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      throw new ApiError(
              ApiError.Kind.UNAUTHORIZED,
              "missing or invalid API key (Authorization: Bearer <key>)")
          .because(ApiError.Reason.UNAUTHORIZED);
    }
    if (route == Route.UNKNOWN) {
      throw new ApiError(
          ApiError.Kind.NOT_FOUND, "no route " + ex.method() + " " + Exchange.clip(ex.rawPath()));
    }
    String method = ex.method();
    if (!route.methods.contains(method)) {
      ex.setHeader(HttpHeader.ALLOW, route.allow());
      throw new ApiError(
          ApiError.Kind.METHOD_NOT_ALLOWED,
          route.path + " answers " + route.allow() + " only, got " + method);
    }
    switch (route) {
      case HEALTH, READY, INFO, METRICS, OPENAPI -> ops.answer(ex, route);
      case RERANK_V1, RERANK_V2, RERANK_TEI -> {
        requireReady();
        Dialect dialect = route.dialect.orElseThrow();
        body(ex, tree -> rerank.answer(ex, dialect, tree));
      }
      case SEARCH -> {
        CorpusRoutes c = corpus(ex);
        body(ex, tree -> ex.json(200, c.search(tree)));
      }
      case DOCUMENTS -> {
        CorpusRoutes c = corpus(ex);
        body(ex, tree -> ex.json(200, c.add(tree)));
      }
      case DOCUMENT -> {
        CorpusRoutes c = corpus(ex);
        String id = Route.documentId(ex.rawPath());
        Optional<JsonNode> answer = method.equals("DELETE") ? c.delete(id) : c.get(id);
        ex.json(
            200,
            answer.orElseThrow(
                () ->
                    new ApiError(
                        ApiError.Kind.NOT_FOUND,
                        "no document with id '" + Exchange.clip(id) + "'")));
      }
      default -> throw new IllegalStateException("unrouted " + route);
    }
  }

  private void body(Exchange ex, Consumer<JsonNode> then) {
    long timeoutMs =
        Math.min(config.requestTimeout().toMillis(), WinnowServer.BODY_READ_TIMEOUT_MS);
    ex.readJson(json, config.maxBodyBytes(), timeoutMs, then);
  }

  private void requireReady() {
    if (!ready.getAsBoolean()) {
      throw new ApiError(
              ApiError.Kind.UNAVAILABLE,
              "the server is not ready (starting or shutting down)",
              Optional.of(1))
          .because(ApiError.Reason.NOT_READY);
    }
  }

  private CorpusRoutes corpus(Exchange ex) {
    if (corpus.isEmpty()) {
      throw new ApiError(
          ApiError.Kind.NOT_FOUND,
          ex.route().path + " needs an index: start the server with --index DIR");
    }
    requireReady();
    return corpus.get();
  }
}
