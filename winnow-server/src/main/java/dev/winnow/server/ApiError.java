package dev.winnow.server;

import java.util.Objects;
import java.util.Optional;

/**
 * A request that cannot be answered with a ranking: the HTTP status, a message for the caller, the
 * TEI {@code error_type}, and optionally a {@code Retry-After} in seconds. Every dialect renders it
 * in its own error shape; nothing a client sends turns into a 500.
 */
final class ApiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** What went wrong, with the status and TEI error type each kind maps to. */
  enum Kind {
    MALFORMED(400, "validation"),
    EMPTY(400, "empty"),
    UNAUTHORIZED(401, "validation"),
    NOT_FOUND(404, "validation"),
    METHOD_NOT_ALLOWED(405, "validation"),
    /** The body stopped arriving (a lying Content-Length, an endless chunked body, a slow body). */
    REQUEST_TIMEOUT(408, "validation"),
    BODY_TOO_LARGE(413, "validation"),
    UNSUPPORTED_MEDIA_TYPE(415, "validation"),
    INVALID(422, "validation"),
    OVERLOADED(429, "overloaded"),
    /**
     * The index's disk is full: nothing of the request was committed; retry once space is freed.
     */
    INSUFFICIENT_STORAGE(507, "backend"),
    BACKEND(500, "backend"),
    UNAVAILABLE(503, "unhealthy"),
    DEADLINE(503, "overloaded");

    final int status;
    final String teiType;

    Kind(int status, String teiType) {
      this.status = status;
      this.teiType = teiType;
    }
  }

  /**
   * Why a request was turned away, when the metrics count it ({@code
   * winnow_rejected_total{reason}}); errors that are the caller's plain mistakes carry none.
   */
  enum Reason {
    UNAUTHORIZED("unauthorized"),
    NOT_READY("not_ready"),
    QUEUE_FULL("queue_full"),
    DEADLINE("deadline"),
    BODY_TOO_LARGE("body_too_large"),
    BODY_TIMEOUT("body_timeout"),
    TOO_MANY_DOCUMENTS("too_many_documents"),
    JSON_LIMIT("json_limit"),
    PARSES_BUSY("parses_busy"),
    RESPONSE_TOO_LARGE("response_too_large");

    final String label;

    Reason(String label) {
      this.label = label;
    }
  }

  private final Kind kind;
  private final Optional<Integer> retryAfterSeconds;
  private final Optional<Reason> reason;

  ApiError(Kind kind, String message) {
    this(kind, message, Optional.empty());
  }

  ApiError(Kind kind, String message, Optional<Integer> retryAfterSeconds) {
    this(kind, message, retryAfterSeconds, Optional.empty());
  }

  private ApiError(
      Kind kind, String message, Optional<Integer> retryAfterSeconds, Optional<Reason> reason) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.retryAfterSeconds = retryAfterSeconds;
    this.reason = reason;
  }

  /** The same error, counted in the metrics as a rejection for {@code why}. */
  ApiError because(Reason why) {
    return new ApiError(kind, getMessage(), retryAfterSeconds, Optional.of(why));
  }

  Optional<Reason> reason() {
    return reason;
  }

  static ApiError invalid(String message) {
    return new ApiError(Kind.INVALID, message);
  }

  /**
   * A list over the server's per-request limit: 422, counted as {@link Reason#TOO_MANY_DOCUMENTS}.
   */
  static ApiError tooMany(String field, int entries, int max) {
    return invalid(
            field
                + " has "
                + entries
                + " entries; this server accepts at most "
                + max
                + " per request")
        .because(Reason.TOO_MANY_DOCUMENTS);
  }

  static ApiError malformed(String message) {
    return new ApiError(Kind.MALFORMED, message);
  }

  Kind kind() {
    return kind;
  }

  int status() {
    return kind.status;
  }

  Optional<Integer> retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
