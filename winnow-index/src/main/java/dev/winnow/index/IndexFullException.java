package dev.winnow.index;

import java.io.IOException;

/**
 * A write failed because the disk (or the directory's quota) is full. As for every {@link
 * IndexWriteException}, the failed batch was rolled back and every earlier commit is intact;
 * writing resumes once space is freed. Servers answer it as HTTP 507 (Insufficient Storage).
 */
public final class IndexFullException extends IndexWriteException {

  private static final long serialVersionUID = 1L;

  IndexFullException(String message, IOException cause) {
    super(message, cause);
  }
}
