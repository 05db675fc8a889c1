package dev.winnow.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Optional;

/**
 * Turns an I/O failure into the one line a user reads: what Winnow was doing (with its path), the
 * path the system refused and why, e.g. {@code cannot open index /srv/idx: /srv/idx: permission
 * denied}. The path is written once when the outer message already names it.
 */
final class Failures {

  private Failures() {}

  /** The one-line description of {@code ex} when it is (or wraps) an I/O failure. */
  static Optional<String> ioLine(Throwable ex) {
    IOException io = innermostIo(ex);
    if (io == null) {
      return Optional.empty();
    }
    String reason = reason(io);
    String outer =
        ex instanceof UncheckedIOException || ex instanceof IOException && ex != io
            ? ex.getMessage()
            : null;
    if (outer == null || outer.isBlank() || outer.equals(io.toString())) {
      return Optional.of(reason);
    }
    if (io instanceof FileSystemException fs && fs.getFile() != null) {
      String file = fs.getFile();
      // "cannot open index /x: /x: not a directory" reads better as "cannot open index /x: not..."
      if (outer.endsWith(file)) {
        return Optional.of(outer + reason.substring(file.length()));
      }
    }
    return Optional.of(outer + ": " + reason);
  }

  /**
   * The deepest {@link IOException} in the cause chain of {@code ex}, or null; a JSON parse error
   * is bad input, not I/O.
   */
  private static IOException innermostIo(Throwable ex) {
    IOException found = null;
    for (Throwable t = ex; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof IOException io && !(t instanceof JsonProcessingException)) {
        found = io;
      }
    }
    return found;
  }

  /** {@code PATH: cause} for file-system failures, the message otherwise. */
  static String reason(IOException io) {
    if (io instanceof FileSystemException fs && fs.getFile() != null) {
      String why;
      if (io instanceof AccessDeniedException) {
        why = "permission denied";
      } else if (io instanceof NoSuchFileException) {
        why = "no such file or directory";
      } else if (io instanceof FileAlreadyExistsException) {
        why = "already exists";
      } else if (io instanceof NotDirectoryException) {
        why = "not a directory";
      } else if (io instanceof DirectoryNotEmptyException) {
        why = "directory not empty";
      } else if (fs.getReason() != null) {
        why = lowerFirst(fs.getReason());
      } else {
        why = io.getClass().getSimpleName();
      }
      String other = fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile();
      return fs.getFile() + other + ": " + why;
    }
    String message = io.getMessage();
    return message == null || message.isBlank()
        ? io.getClass().getSimpleName()
        : message.replace('\n', ' ');
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
