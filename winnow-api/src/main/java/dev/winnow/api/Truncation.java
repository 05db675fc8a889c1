package dev.winnow.api;

import java.util.Locale;

/** How a (query, document) pair is cut to fit the model's maximum length. */
public enum Truncation {
  /** Cut the longer sequence first (Hugging Face's default for pairs). */
  LONGEST_FIRST,
  /** Never cut the query; only the document loses tokens. */
  ONLY_SECOND;

  public static Truncation parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "longest_first" -> LONGEST_FIRST;
      case "only_second" -> ONLY_SECOND;
      default ->
          throw new IllegalArgumentException(
              "truncation must be one of longest_first, only_second; got '" + name + "'");
    };
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
