package dev.winnow.index;

import java.util.Objects;

/**
 * An index whose files fail Lucene's checks: a checksum that does not match (a flipped bit), a
 * truncated or unreadable {@code segments_N}, a file that a commit names but the directory lacks.
 * Thrown when opening, so a damaged index is refused instead of answering wrong results; {@code
 * winnow index check DIR} says what is wrong and {@code winnow index repair DIR} drops the damaged
 * segments.
 */
public final class IndexCorruptException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String index;

  IndexCorruptException(String index, String detail, Throwable cause) {
    super(
        Objects.requireNonNull(index, "index")
            + " is corrupt: "
            + detail
            + "; refusing to serve it (run 'winnow index check' on it for details, restore it from"
            + " a backup, re-index, or 'winnow index repair' to drop the damaged segments)",
        cause);
    this.index = index;
  }

  /** The index, as named in messages ({@code "index /path"}). */
  public String index() {
    return index;
  }
}
