package dev.winnow.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A set of query ids named on the command line ({@code --query-ids}): a file with one id per line
 * (blank lines and {@code #} comments skipped) or the ids themselves, comma-separated.
 */
public final class QueryIds {

  private QueryIds() {}

  /** Reads {@code value}: an existing file, else a comma-separated list of ids. */
  public static Set<String> parse(String value) {
    String v = value.trim();
    if (v.isEmpty()) {
      throw new IllegalArgumentException("query-ids must name a file or ids, got ''");
    }
    Path file = Path.of(v);
    Set<String> ids = new LinkedHashSet<>();
    if (Files.isRegularFile(file)) {
      try {
        for (String line : Files.readAllLines(file)) {
          String t = line.strip();
          if (!t.isEmpty() && !t.startsWith("#")) {
            ids.add(t);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read query-ids file " + file, e);
      }
      if (ids.isEmpty()) {
        throw new IllegalArgumentException("query-ids file " + file + " holds no ids");
      }
      return ids;
    }
    if (v.contains("/") || v.endsWith(".txt")) {
      throw new IllegalArgumentException("query-ids file " + file + " does not exist");
    }
    for (String id : v.split(",")) {
      if (id.isBlank()) {
        throw new IllegalArgumentException("query-ids holds an empty id in '" + value + "'");
      }
      ids.add(id.strip());
    }
    return ids;
  }
}
