package dev.winnow.server;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the server is told at start: where it listens, its limits, the batching budget and the
 * optional API key.
 *
 * @param host address to bind; {@code 127.0.0.1} by default so nothing is exposed unless asked
 * @param port TCP port; 0 picks a free one (tests)
 * @param maxDocuments most documents (texts) one rerank request may carry; more gets 422
 * @param maxBodyBytes largest request body; more gets 413 before any parsing
 * @param maxQueuedPairs most (query, document) pairs waiting for the model across all requests; a
 *     request that does not fit gets 429 with {@code Retry-After} at once
 * @param requestTimeout how long a request may wait and be scored before it is answered 503
 * @param batchTokenBudget most padded tokens (pairs × longest pair) in one model call
 * @param maxBatchPairs most pairs in one model call
 * @param workers threads calling the model; each runs one batch at a time
 * @param apiKey when present, every route except the public operational ones needs {@code
 *     Authorization: Bearer <key>}
 * @param protectOperational when true, {@code /health}, {@code /ready} and {@code /metrics} need
 *     the key too
 * @param drainTimeout how long a graceful shutdown waits for requests in flight
 */
public record ServerConfig(
    String host,
    int port,
    int maxDocuments,
    long maxBodyBytes,
    int maxQueuedPairs,
    Duration requestTimeout,
    int batchTokenBudget,
    int maxBatchPairs,
    int workers,
    Optional<String> apiKey,
    boolean protectOperational,
    Duration drainTimeout) {

  public static final int DEFAULT_MAX_DOCUMENTS = 1000;
  public static final long DEFAULT_MAX_BODY_BYTES = 8L * 1024 * 1024;
  public static final int DEFAULT_MAX_QUEUED_PAIRS = 1024;

  public static final ServerConfig DEFAULTS =
      new ServerConfig(
          "127.0.0.1",
          8080,
          DEFAULT_MAX_DOCUMENTS,
          DEFAULT_MAX_BODY_BYTES,
          DEFAULT_MAX_QUEUED_PAIRS,
          Duration.ofSeconds(30),
          16_384,
          64,
          1,
          Optional.empty(),
          false,
          Duration.ofSeconds(20));

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank, got '" + host + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    if (maxDocuments < 1) {
      throw new IllegalArgumentException("max-docs must be >= 1, got " + maxDocuments);
    }
    if (maxBodyBytes < 1024 || maxBodyBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "max-body must be in [1KB, 2GB), got " + maxBodyBytes + " bytes");
    }
    if (maxQueuedPairs < 1) {
      throw new IllegalArgumentException("queue must be >= 1 pair, got " + maxQueuedPairs);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be > 0, got " + requestTimeout);
    }
    if (batchTokenBudget < 1) {
      throw new IllegalArgumentException(
          "batch token budget must be >= 1, got " + batchTokenBudget);
    }
    if (maxBatchPairs < 1) {
      throw new IllegalArgumentException("batch pairs must be >= 1, got " + maxBatchPairs);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    if (apiKey.isPresent() && apiKey.get().isBlank()) {
      throw new IllegalArgumentException("api key must not be blank");
    }
    if (apiKey.isPresent()) {
      requireVisibleAscii(apiKey.get());
    }
    if (drainTimeout.isNegative()) {
      throw new IllegalArgumentException("drain timeout must be >= 0, got " + drainTimeout);
    }
  }

  public ServerConfig withHost(String h) {
    return new ServerConfig(
        h,
        port,
        maxDocuments,
        maxBodyBytes,
        maxQueuedPairs,
        requestTimeout,
        batchTokenBudget,
        maxBatchPairs,
        workers,
        apiKey,
        protectOperational,
        drainTimeout);
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(
        host,
        p,
        maxDocuments,
        maxBodyBytes,
        maxQueuedPairs,
        requestTimeout,
        batchTokenBudget,
        maxBatchPairs,
        workers,
        apiKey,
        protectOperational,
        drainTimeout);
  }

  /**
   * Largest answer the server builds (twice the body limit): a search whose documents would make a
   * longer answer is refused with 422 before more of them are read, rather than built in memory.
   */
  public long maxResponseBytes() {
    return 2 * maxBodyBytes;
  }

  /**
   * A header carries a key only as visible ASCII (HTTP header values are not UTF-8), so any other
   * character would make a key that no client can send.
   */
  private static void requireVisibleAscii(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        throw new IllegalArgumentException(
            String.format(
                "api key must be visible ASCII (characters ! to ~), got U+%04X at position %d",
                (int) c, i));
      }
    }
  }

  public ServerConfig withLimits(int docs, long body, int queue) {
    return new ServerConfig(
        host,
        port,
        docs,
        body,
        queue,
        requestTimeout,
        batchTokenBudget,
        maxBatchPairs,
        workers,
        apiKey,
        protectOperational,
        drainTimeout);
  }

  public ServerConfig withRequestTimeout(Duration t) {
    return new ServerConfig(
        host,
        port,
        maxDocuments,
        maxBodyBytes,
        maxQueuedPairs,
        t,
        batchTokenBudget,
        maxBatchPairs,
        workers,
        apiKey,
        protectOperational,
        drainTimeout);
  }

  public ServerConfig withBatching(int tokenBudget, int pairs, int workerCount) {
    return new ServerConfig(
        host,
        port,
        maxDocuments,
        maxBodyBytes,
        maxQueuedPairs,
        requestTimeout,
        tokenBudget,
        pairs,
        workerCount,
        apiKey,
        protectOperational,
        drainTimeout);
  }

  /** The key (secret: never log it) and whether it also guards the operational routes. */
  public ServerConfig withApiKey(Optional<String> key, boolean protectOps) {
    return new ServerConfig(
        host,
        port,
        maxDocuments,
        maxBodyBytes,
        maxQueuedPairs,
        requestTimeout,
        batchTokenBudget,
        maxBatchPairs,
        workers,
        key,
        protectOps,
        drainTimeout);
  }

  public ServerConfig withDrainTimeout(Duration d) {
    return new ServerConfig(
        host,
        port,
        maxDocuments,
        maxBodyBytes,
        maxQueuedPairs,
        requestTimeout,
        batchTokenBudget,
        maxBatchPairs,
        workers,
        apiKey,
        protectOperational,
        d);
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "ServerConfig[host="
        + host
        + ", port="
        + port
        + ", maxDocuments="
        + maxDocuments
        + ", maxBodyBytes="
        + maxBodyBytes
        + ", maxQueuedPairs="
        + maxQueuedPairs
        + ", requestTimeout="
        + requestTimeout
        + ", batchTokenBudget="
        + batchTokenBudget
        + ", maxBatchPairs="
        + maxBatchPairs
        + ", workers="
        + workers
        + ", apiKey="
        + (apiKey.isPresent() ? "<set>" : "<none>")
        + ", protectOperational="
        + protectOperational
        + ", drainTimeout="
        + drainTimeout
        + "]";
  }
}
