package dev.winnow.eval;

import dev.winnow.api.Hit;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TREC run files: {@code qid Q0 docid rank score tag}, one line per retrieved document.
 *
 * <p>trec_eval ignores the rank column: it re-sorts each query's lines by score descending, then
 * docno descending ({@code strcmp}), and it holds scores as <em>single-precision floats</em>
 * (9.0.4: "2.5" and "2.4999999" tie). So that trec_eval evaluates exactly the order Winnow
 * evaluated, {@link #write} keeps every score unchanged unless trec_eval would put that line above
 * the one before it (a later hit whose score, as a float, is higher, or equal with a larger id);
 * then the line's score is written as the largest float below the previous line's float. Winnow's
 * first-stage retrievers already break ties by id descending, and BM25 scores are floats, so BM25
 * runs are written unchanged. Scores are written in Java's shortest round-trip form.
 */
public final class TrecRun {

  /** trec_eval's order within a query: score descending, then docno descending (byte order). */
  public static final Comparator<Line> TREC_EVAL_ORDER =
      Comparator.comparingDouble(Line::score)
          .reversed()
          .thenComparing(Line::docId, (a, b) -> compareUtf8(b, a));

  /** One parsed line. */
  public record Line(String queryId, String docId, int rank, double score, String tag) {}

  private TrecRun() {}

  /** Writes {@code run} (query id to hits in presented order) to {@code file}. */
  public static void write(Path file, Map<String, List<Hit>> run, String tag) {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      write(out, run, tag);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write run file " + file, e);
    }
  }

  /** Writes {@code run} to {@code out} (not closed). */
  public static void write(Writer out, Map<String, List<Hit>> run, String tag) throws IOException {
    checkToken(tag, "tag");
    for (Map.Entry<String, List<Hit>> e : run.entrySet()) {
      String q = e.getKey();
      checkToken(q, "query id");
      float previous = Float.POSITIVE_INFINITY; // the score as trec_eval holds it: a float
      String previousId = null;
      int rank = 0;
      Set<String> seen = new HashSet<>();
      for (Hit h : e.getValue()) {
        checkToken(h.id(), "document id");
        if (!seen.add(h.id())) {
          throw new IllegalArgumentException(
              "run for query '" + q + "' lists document '" + h.id() + "' twice");
        }
        float seenByTrecEval = (float) h.score();
        String written = Double.toString(h.score());
        boolean keeps =
            previousId == null
                || seenByTrecEval < previous
                || (seenByTrecEval == previous && compareUtf8(h.id(), previousId) < 0);
        if (!keeps) {
          seenByTrecEval = Math.nextDown(previous);
          written = Double.toString(seenByTrecEval); // exactly that float, no double rounding
        }
        rank++;
        out.write(q + " Q0 " + h.id() + " " + rank + " " + written + " " + tag + "\n");
        previous = seenByTrecEval;
        previousId = h.id();
      }
    }
  }

  /**
   * Reads a run file and orders each query's documents as trec_eval does ({@link
   * #TREC_EVAL_ORDER}); queries keep the order of their first line. Malformed lines are an {@link
   * IllegalArgumentException} naming file and line.
   */
  public static Map<String, List<Line>> read(Path file) {
    Map<String, List<Line>> out = new LinkedHashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String s;
      long n = 0;
      while ((s = in.readLine()) != null) {
        n++;
        if (s.isBlank()) {
          continue;
        }
        String[] f = s.trim().split("\\s+");
        if (f.length != 6) {
          throw new IllegalArgumentException(
              file
                  + " line "
                  + n
                  + ": expected 'qid Q0 docid rank score tag', got "
                  + f.length
                  + " fields");
        }
        try {
          Line line = new Line(f[0], f[2], Integer.parseInt(f[3]), Double.parseDouble(f[4]), f[5]);
          out.computeIfAbsent(f[0], k -> new ArrayList<>()).add(line);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              file + " line " + n + ": rank and score must be numbers: " + e.getMessage(), e);
        }
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("run file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read run file " + file, e);
    }
    out.values().forEach(l -> l.sort(TREC_EVAL_ORDER));
    return out;
  }

  /** The document ids of each query in trec_eval's order, ready for {@link Evaluation#of}. */
  public static Map<String, List<String>> rankings(Map<String, List<Line>> run) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    run.forEach((q, lines) -> out.put(q, lines.stream().map(Line::docId).toList()));
    return out;
  }

  /** Compares as {@code strcmp} on UTF-8 bytes would: by Unicode code point. */
  static int compareUtf8(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  private static void checkToken(String s, String what) {
    if (s.isEmpty() || s.codePoints().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          what + " must be non-empty without whitespace to fit a TREC run file, got '" + s + "'");
    }
  }
}
