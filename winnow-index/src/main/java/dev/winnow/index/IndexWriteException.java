package dev.winnow.index;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A write to the index failed on I/O (add, delete or commit). Nothing of the failed batch was
 * committed and nothing committed before was touched: the writer was rolled back to the last commit
 * and the next write opens a fresh one. {@link WinnowIndex#health()} reports the failure until a
 * later commit succeeds. Servers answer it as "unavailable, retry" (HTTP 503).
 */
public class IndexWriteException extends UncheckedIOException {

  private static final long serialVersionUID = 1L;

  IndexWriteException(String message, IOException cause) {
    super(message, cause);
  }
}
