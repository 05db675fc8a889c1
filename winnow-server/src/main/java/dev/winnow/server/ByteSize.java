package dev.winnow.server;

import java.util.Locale;

/** Parses sizes such as {@code 8MB}, {@code 512KB} or {@code 1048576} (binary units). */
public final class ByteSize {

  private ByteSize() {}

  /** The number of bytes {@code text} names; {@link IllegalArgumentException} otherwise. */
  public static long parse(String field, String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("KB") || t.endsWith("KIB")) {
      unit = 1024;
    } else if (t.endsWith("MB") || t.endsWith("MIB")) {
      unit = 1024 * 1024;
    } else if (t.endsWith("GB") || t.endsWith("GIB")) {
      unit = 1024L * 1024 * 1024;
    }
    String digits = t.replaceAll("[A-Z]+$", "").trim();
    try {
      long n = Long.parseLong(digits);
      if (n < 1) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(n, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          field + " must be a positive size such as 8MB, 512KB or 1048576; got '" + text + "'", e);
    }
  }
}
