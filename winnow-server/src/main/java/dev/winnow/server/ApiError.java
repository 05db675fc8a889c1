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

  private final Kind kind;
  private final Optional<Integer> retryAfterSeconds;

  ApiError(Kind kind, String message) {
    this(kind, message, Optional.empty());
  }

  ApiError(Kind kind, String message, Optional<Integer> retryAfterSeconds) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.retryAfterSeconds = retryAfterSeconds;
  }

  static ApiError invalid(String message) {
    return new ApiError(Kind.INVALID, message);
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
