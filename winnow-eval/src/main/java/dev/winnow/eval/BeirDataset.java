package dev.winnow.eval;

import dev.winnow.api.Document;
import dev.winnow.api.Query;
import dev.winnow.index.CorpusReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A BEIR dataset folder, one split of it: {@code corpus.jsonl}, {@code queries.jsonl} and {@code
 * qrels/<split>.tsv} (with BEIR's header line).
 *
 * <p>The queries are those of {@code queries.jsonl} that the split's qrels judge, in file order.
 * The qrels are kept whole: a qrels query without text in {@code queries.jsonl} cannot be run, and
 * under trec_eval {@code -c} averaging it counts as 0; {@link #qrelsQueriesWithoutText} says how
 * many there are so a report can show it. The corpus is not read here (it can be large); see {@link
 * Qrels#countUnknownDocuments} for judgments of documents the corpus lacks.
 */
public record BeirDataset(
    Path directory,
    String split,
    Path corpus,
    List<Query> queries,
    Qrels qrels,
    int qrelsQueriesWithoutText) {

  public BeirDataset {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(corpus, "corpus");
    queries = List.copyOf(queries);
    Objects.requireNonNull(qrels, "qrels");
  }

  /** Loads {@code split} of the BEIR folder {@code dir}; every problem is named with its path. */
  public static BeirDataset load(Path dir, String split) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(split, "split");
    if (!split.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException(
          "split must be a plain name such as test, dev or train; got '" + split + "'");
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("dataset directory " + dir + " does not exist");
    }
    Path corpus = firstExisting(dir, "corpus.jsonl", "corpus.jsonl.gz");
    Path queriesFile = firstExisting(dir, "queries.jsonl", "queries.jsonl.gz");
    Path qrelsFile = dir.resolve("qrels").resolve(split + ".tsv");
    if (!Files.isRegularFile(qrelsFile)) {
      throw new IllegalArgumentException(
          "dataset "
              + dir
              + " has no split '"
              + split
              + "' ("
              + qrelsFile
              + " is missing); available: "
              + availableSplits(dir));
    }
    Qrels qrels = Qrels.read(qrelsFile);
    Set<String> judged = qrels.queryIds();
    List<Query> queries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try (CorpusReader reader = CorpusReader.open(queriesFile)) {
      while (reader.hasNext()) {
        Document d = reader.next();
        if (judged.contains(d.id()) && seen.add(d.id())) {
          queries.add(new Query(d.id(), d.fullText()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read queries " + queriesFile, e);
    }
    if (queries.isEmpty()) {
      throw new IllegalArgumentException(
          "split '"
              + split
              + "' of "
              + dir
              + " has no queries to run: none of the "
              + judged.size()
              + " query ids in "
              + qrelsFile
              + " appears in "
              + queriesFile);
    }
    return new BeirDataset(dir, split, corpus, queries, qrels, judged.size() - queries.size());
  }

  /**
   * This split restricted to its first {@code n} queries (file order), qrels included, so that
   * averages are over those queries only.
   */
  public BeirDataset firstQueries(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("number of queries must be >= 1, got " + n);
    }
    if (n >= queries.size()) {
      return this;
    }
    List<Query> first = queries.subList(0, n);
    return new BeirDataset(
        directory,
        split,
        corpus,
        first,
        qrels.restrictTo(first.stream().map(Query::id).toList()),
        0);
  }

  /**
   * This split restricted to the queries {@code ids} names (file order), qrels included; an id that
   * is not a query of this split is refused by name.
   */
  public BeirDataset onlyQueries(Set<String> ids) {
    Set<String> have = new HashSet<>();
    queries.forEach(q -> have.add(q.id()));
    List<String> missing = ids.stream().filter(id -> !have.contains(id)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "query-ids: "
              + missing.size()
              + " of "
              + ids.size()
              + " ids are not judged queries of split '"
              + split
              + "' of "
              + directory
              + ": "
              + String.join(", ", missing.subList(0, Math.min(10, missing.size())))
              + (missing.size() > 10 ? ", ..." : ""));
    }
    List<Query> kept = queries.stream().filter(q -> ids.contains(q.id())).toList();
    return new BeirDataset(
        directory, split, corpus, kept, qrels.restrictTo(kept.stream().map(Query::id).toList()), 0);
  }

  private static Path firstExisting(Path dir, String... names) {
    for (String n : names) {
      Path p = dir.resolve(n);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "dataset " + dir + " is not a BEIR folder: " + names[0] + " is missing");
  }

  private static List<String> availableSplits(Path dir) {
    Path q = dir.resolve("qrels");
    if (!Files.isDirectory(q)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(q)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".tsv"))
          .map(n -> n.substring(0, n.length() - 4))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + q, e);
    }
  }
}
