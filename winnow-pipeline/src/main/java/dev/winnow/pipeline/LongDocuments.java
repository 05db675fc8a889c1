package dev.winnow.pipeline;

import dev.winnow.api.PassageWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a cross-encoder reads a document longer than the model's window.
 *
 * <ul>
 *   <li>{@link Strategy#TRUNCATE} (the default) hands the whole text to the engine, whose own
 *       truncation ({@link dev.winnow.api.Truncation}, longest-first by default) cuts the pair: a
 *       long query loses tokens too, and the cut may fall anywhere.
 *   <li>{@link Strategy#FIRST} scores only the document's first passage, window 0 of the split
 *       {@link Strategy#MAXP} would make ("FirstP", Dai and Callan, SIGIR 2019). The query is never
 *       cut (unless it takes over three quarters of the model's room), and the passage may be set
 *       shorter than the model allows ({@code passageTokens}). With the default passage length and
 *       a short query it reads the same tokens as truncate; it differs when the query is long
 *       (longest-first truncation shortens the query, first does not) or when {@code passageTokens}
 *       is set, and it always reports the window and how many tokens went unread.
 *   <li>{@link Strategy#MAXP} splits the document into overlapping windows of {@code passageTokens}
 *       tokens (default: all that fit beside the query), each starting {@code stride} after the
 *       previous, the last one ending at the document's end; every window is scored with the whole
 *       query and the best logit wins ("MaxP", same paper). The winning window is reported; at most
 *       {@code maxWindows} windows are scored, tokens after them are reported as dropped.
 * </ul>
 */
public final class LongDocuments {

  private LongDocuments() {}

  public enum Strategy {
    TRUNCATE,
    FIRST,
    MAXP;

    public static Strategy parse(String name) {
      return switch (name.toLowerCase(Locale.ROOT)) {
        case "truncate" -> TRUNCATE;
        case "first", "firstp" -> FIRST;
        case "maxp" -> MAXP;
        default ->
            throw new IllegalArgumentException(
                "long-document strategy must be one of truncate, first, maxp; got '" + name + "'");
      };
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A token span {@code [start, end)} of a document and where it sits among its windows. */
  public record Span(int start, int end) {}

  /**
   * The query tokens kept by first and maxp: all of them, unless the query would take more than
   * three quarters of the model's room ({@code maxLength - specials}), then its first {@code room *
   * 3 / 4}, so that every window still holds a quarter of the room of document.
   */
  public static int queryKept(int queryTokens, int maxLength, int specials) {
    int room = maxLength - specials;
    if (room < 2) {
      throw new IllegalArgumentException(
          "maxLength " + maxLength + " leaves no room beside " + specials + " special tokens");
    }
    return Math.min(queryTokens, room * 3 / 4);
  }

  /**
   * Splits {@code n} document tokens into windows of {@code width} tokens, {@code stride} apart,
   * the last ending at {@code n}; an empty document gives one empty window. At most {@code
   * maxWindows} windows are returned.
   */
  public static List<Span> windows(int n, int width, int stride, int maxWindows) {
    if (width < 1) {
      throw new IllegalArgumentException("window width must be >= 1, got " + width);
    }
    if (stride < 1 || stride > width) {
      throw new IllegalArgumentException(
          "stride must be in [1, " + width + "] (the window width), got " + stride);
    }
    if (maxWindows < 1) {
      throw new IllegalArgumentException("maxWindows must be >= 1, got " + maxWindows);
    }
    List<Span> out = new ArrayList<>();
    if (n <= width) {
      out.add(new Span(0, n));
      return out;
    }
    for (int start = 0; out.size() < maxWindows; start += stride) {
      if (start + width >= n) {
        out.add(new Span(n - width, n));
        break;
      }
      out.add(new Span(start, start + width));
    }
    return out;
  }

  /** How many windows {@link #windows} would make without the cap. */
  static int windowCount(int n, int width, int stride) {
    if (n <= width) {
      return 1;
    }
    return 1 + (n - width + stride - 1) / stride;
  }

  /** The window record for span {@code index} of {@code spans}, with unread tokens counted. */
  static PassageWindow window(List<Span> spans, int index, int count, int n) {
    int covered = 0;
    int reach = 0;
    for (Span s : spans) {
      int from = Math.max(s.start(), reach);
      if (s.end() > from) {
        covered += s.end() - from;
        reach = s.end();
      }
    }
    Span s = spans.get(index);
    return new PassageWindow(index, count, s.start(), s.end(), n - covered);
  }
}
