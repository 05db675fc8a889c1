package dev.winnow.index;

import java.nio.file.Path;

/**
 * A corpus file that cannot be read as documents: names the file and the 1-based line number.
 *
 * <p>It is an {@link IllegalArgumentException} because the fault lies in the user's input, which
 * the command line reports as {@code winnow: <message>}.
 */
public final class CorpusFormatException extends IllegalArgumentException {

  private final transient Path file;
  private final long line;

  public CorpusFormatException(Path file, long line, String problem) {
    this(file, line, problem, null);
  }

  public CorpusFormatException(Path file, long line, String problem, Throwable cause) {
    super(file + " line " + line + ": " + problem, cause);
    this.file = file;
    this.line = line;
  }

  /** The corpus file. */
  public Path file() {
    return file;
  }

  /** The 1-based line number of the offending line. */
  public long line() {
    return line;
  }
}
