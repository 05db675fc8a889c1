package dev.winnow.server;

import java.time.Duration;
import java.util.Locale;

/** Parses durations such as {@code 30s}, {@code 500ms}, {@code 2m} or ISO-8601 {@code PT30S}. */
public final class Durations {

  private Durations() {}

  /**
   * The duration {@code text} names; {@link IllegalArgumentException} naming the field otherwise.
   */
  public static Duration parse(String field, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("pt")) {
        return positive(field, text, Duration.parse(t.toUpperCase(Locale.ROOT)));
      }
      if (t.endsWith("ms")) {
        return positive(
            field, text, Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))));
      }
      if (t.endsWith("s")) {
        return positive(
            field, text, Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1))));
      }
      if (t.endsWith("m")) {
        return positive(
            field, text, Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1))));
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          field + " must be a duration such as 30s, 500ms or 2m; got '" + text + "'", e);
    }
    throw new IllegalArgumentException(
        field + " must be a duration such as 30s, 500ms or 2m; got '" + text + "'");
  }

  private static Duration positive(String field, String text, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(field + " must not be negative, got '" + text + "'");
    }
    return d;
  }
}
