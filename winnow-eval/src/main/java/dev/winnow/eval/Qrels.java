package dev.winnow.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Relevance judgments: for each query id, the judged document ids and their integer grades.
 * Immutable; queries and documents keep the order of the file.
 *
 * <p>A grade {@code >= 1} means relevant for the binary measures (trec_eval's default {@code -l
 * 1}); nDCG uses the grade itself as the gain. A query may have only non-relevant judgments; it
 * still counts in the averages, as with trec_eval {@code -c}.
 */
public final class Qrels {

  private final Map<String, Map<String, Integer>> judgments;

  private Qrels(Map<String, Map<String, Integer>> judgments) {
    this.judgments = judgments;
  }

  /** Builds qrels from a map of query id to (document id to grade); copies it. */
  public static Qrels of(Map<String, Map<String, Integer>> judgments) {
    Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
    judgments.forEach(
        (q, docs) -> copy.put(q, Collections.unmodifiableMap(new LinkedHashMap<>(docs))));
    return new Qrels(Collections.unmodifiableMap(copy));
  }

  /**
   * Reads BEIR's {@code qrels/<split>.tsv} ({@code query-id<TAB>corpus-id<TAB>score}, with or
   * without the header line) or a TREC qrels file ({@code qid iter docid rel}, whitespace
   * separated). A repeated (query, document) pair keeps its last grade. Any other line is an {@link
   * IllegalArgumentException} naming file and line; an empty file too.
   */
  public static Qrels read(Path file) {
    Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.trim().split("\\s+");
        if (f.length != 3 && f.length != 4) {
          throw new IllegalArgumentException(
              file
                  + " line "
                  + n
                  + ": expected 'query-id corpus-id score' (BEIR) or 'qid iter docid rel' (TREC),"
                  + " got "
                  + f.length
                  + " fields");
        }
        String grade = f[f.length - 1];
        int g;
        try {
          g = Integer.parseInt(grade);
        } catch (NumberFormatException e) {
          if (n == 1 && f.length == 3) {
            continue; // BEIR's header line: query-id corpus-id score
          }
          throw new IllegalArgumentException(
              file + " line " + n + ": relevance grade must be an integer, got '" + grade + "'", e);
        }
        String doc = f.length == 3 ? f[1] : f[2];
        out.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(doc, g);
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("qrels file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read qrels " + file, e);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("qrels file " + file + " holds no judgments");
    }
    return of(out);
  }

  /** Query ids in file order. */
  public Set<String> queryIds() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(judgments.keySet()));
  }

  /** The judgments of one query (document id to grade); empty when the query has none. */
  public Map<String, Integer> judgments(String queryId) {
    return judgments.getOrDefault(queryId, Map.of());
  }

  /** The number of documents judged relevant (grade {@code >= 1}) for one query. */
  public int relevantCount(String queryId) {
    int n = 0;
    for (int g : judgments(queryId).values()) {
      if (g >= 1) {
        n++;
      }
    }
    return n;
  }

  /** The number of (query, document) judgments. */
  public int size() {
    int n = 0;
    for (Map<String, Integer> m : judgments.values()) {
      n += m.size();
    }
    return n;
  }

  /** These qrels restricted to the given queries (in this file's order). */
  public Qrels restrictTo(Collection<String> queryIds) {
    Set<String> keep = new LinkedHashSet<>(queryIds);
    Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
    judgments.forEach(
        (q, docs) -> {
          if (keep.contains(q)) {
            out.put(q, docs);
          }
        });
    return new Qrels(Collections.unmodifiableMap(out));
  }

  /** How many judgments name a document for which {@code known} is false. */
  public int countUnknownDocuments(Predicate<String> known) {
    Objects.requireNonNull(known, "known");
    int n = 0;
    for (Map<String, Integer> m : judgments.values()) {
      for (String d : m.keySet()) {
        if (!known.test(d)) {
          n++;
        }
      }
    }
    return n;
  }

  /** Queries whose judgments hold no relevant document. */
  public int queriesWithoutRelevant() {
    int n = 0;
    for (String q : judgments.keySet()) {
      if (relevantCount(q) == 0) {
        n++;
      }
    }
    return n;
  }
}
