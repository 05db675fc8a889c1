package dev.winnow.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * Lucene's {@code CheckIndex} over a Winnow index directory: {@link #check} reads every segment
 * (checksums, then postings, norms, stored fields and vectors decoded one by one) and says what is
 * damaged and how many documents repairing would drop; {@link #repair} drops the damaged segments
 * on a copy, checks the copy, and swaps it in, keeping the damaged original beside it.
 *
 * <p>Both take Lucene's {@code write.lock}, so they refuse an index that a running server is
 * writing. Stateless and thread-safe.
 */
public final class IndexIntegrity {

  private IndexIntegrity() {}

  /** One damaged segment: its name, the documents it holds and what CheckIndex found. */
  public record Problem(String segment, int documents, String error) {
    public Problem {
      Objects.requireNonNull(segment, "segment");
      Objects.requireNonNull(error, "error");
    }
  }

  /**
   * What {@link #check} found.
   *
   * @param index the directory checked
   * @param commitReadable whether the last commit point ({@code segments_N}) could be read; when
   *     not, nothing can be repaired in place
   * @param commitError why the commit point could not be read, when it could not
   * @param segments segments the commit names
   * @param documents live documents the commit names (before any repair)
   * @param problems damaged segments
   * @param documentsLost documents a repair would drop (those of the damaged segments)
   */
  public record Report(
      Path index,
      boolean commitReadable,
      Optional<String> commitError,
      int segments,
      long documents,
      List<Problem> problems,
      long documentsLost) {

    public Report {
      Objects.requireNonNull(index, "index");
      Objects.requireNonNull(commitError, "commitError");
      problems = List.copyOf(problems);
    }

    /** True when the commit is readable and no segment is damaged. */
    public boolean clean() {
      return commitReadable && problems.isEmpty();
    }

    /** Whether {@link #repair} can help: a readable commit with damaged segments. */
    public boolean repairable() {
      return commitReadable && !problems.isEmpty();
    }

    /** A human summary, one finding per line. */
    public List<String> lines() {
      List<String> out = new ArrayList<>();
      if (!commitReadable) {
        out.add(
            "index "
                + index
                + ": the commit point (segments_N) cannot be read: "
                + commitError.orElse("unknown error"));
        out.add(
            "  not repairable by dropping segments: restore the index from a backup or re-index");
        return out;
      }
      out.add(
          String.format(
              Locale.ROOT,
              "index %s: %d segment(s), %d document(s), %s",
              index,
              segments,
              documents,
              problems.isEmpty() ? "no problems found" : problems.size() + " damaged segment(s)"));
      for (Problem p : problems) {
        out.add(
            String.format(
                Locale.ROOT,
                "  segment %s (%d documents): %s",
                p.segment(),
                p.documents(),
                p.error()));
      }
      if (!problems.isEmpty()) {
        out.add(
            String.format(
                Locale.ROOT,
                "  'winnow index repair %s --yes' would drop %d of %d document(s)",
                index,
                documentsLost,
                documents));
      }
      return out;
    }
  }

  /** What {@link #repair} did. */
  public record Repair(Report before, long documentsKept, long documentsDropped, Path backup) {
    public Repair {
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(backup, "backup");
    }
  }

  /** Runs Lucene's CheckIndex (without its slowest cross-checks) over the index in {@code dir}. */
  public static Report check(Path dir) {
    requireIndexDirectory(dir);
    try (FSDirectory fs = FSDirectory.open(dir)) {
      return check(fs, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check index " + dir, e);
    }
  }

  static Report check(Directory dir, Path name) throws IOException {
    try (CheckIndex checker = new CheckIndex(dir)) {
      return report(checker.checkIndex(), name);
    } catch (LockObtainFailedException e) {
      throw busy(name, e);
    }
  }

  private static Report report(CheckIndex.Status status, Path name) {
    if (status.missingSegments) {
      return new Report(
          name,
          false,
          Optional.of(
              status.segmentsFileName == null
                  ? "no segments_N file"
                  : status.segmentsFileName + " is unreadable or names files that are missing"),
          0,
          0,
          List.of(),
          0);
    }
    List<Problem> problems = new ArrayList<>();
    long documents = 0;
    for (CheckIndex.Status.SegmentInfoStatus s : status.segmentInfos) {
      int deleted = s.liveDocStatus == null ? 0 : s.liveDocStatus.numDeleted;
      if (s.error != null) {
        problems.add(new Problem(s.name, s.toLoseDocCount, describe(s.error)));
        documents += s.toLoseDocCount;
      } else {
        documents += s.maxDoc - deleted;
      }
    }
    return new Report(
        name,
        true,
        Optional.empty(),
        status.numSegments,
        documents,
        problems,
        status.totLoseDocCount);
  }

  private static String describe(Throwable t) {
    StringBuilder b = new StringBuilder(t.toString());
    for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
      b.append("; caused by ").append(c);
    }
    return b.toString();
  }

  /**
   * Drops the damaged segments of the index in {@code dir}: copies the index to a sibling
   * directory, runs CheckIndex's exorcise there (a new commit without the damaged segments), checks
   * the copy is clean, then moves the original aside to {@code DIR.corrupt-<time>} and the repaired
   * copy into its place. Refuses a clean index and one whose commit point is unreadable.
   */
  public static Repair repair(Path dir) {
    requireIndexDirectory(dir);
    Path abs = dir.toAbsolutePath().normalize();
    String stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    Path copy = abs.resolveSibling(abs.getFileName() + ".repair-" + stamp);
    Path backup = abs.resolveSibling(abs.getFileName() + ".corrupt-" + stamp);
    try {
      Report before;
      try (FSDirectory original = FSDirectory.open(abs);
          Lock lock = obtainWriteLock(original, abs)) {
        before = report(checkHeld(original, lock), abs);
        if (before.clean()) {
          throw new IllegalStateException("index " + dir + " is clean; nothing to repair");
        }
        if (!before.repairable()) {
          throw new IllegalStateException(String.join("\n", before.lines()));
        }
        copyFiles(abs, copy);
      }
      long kept;
      try (FSDirectory repaired = FSDirectory.open(copy);
          CheckIndex checker = new CheckIndex(repaired)) {
        CheckIndex.Status status = checker.checkIndex();
        checker.exorciseIndex(status);
        Report after = report(checker.checkIndex(), copy);
        if (!after.clean()) {
          throw new IllegalStateException(
              "the repaired copy at "
                  + copy
                  + " still fails CheckIndex; the original is untouched:\n"
                  + String.join("\n", after.lines()));
        }
        kept = after.documents();
      }
      Files.move(abs, backup, StandardCopyOption.ATOMIC_MOVE);
      Files.move(copy, abs, StandardCopyOption.ATOMIC_MOVE);
      return new Repair(before, kept, before.documentsLost(), backup);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot repair index " + dir + " (a partial copy may remain at " + copy + ")", e);
    }
  }

  private static CheckIndex.Status checkHeld(Directory dir, Lock lock) throws IOException {
    try (CheckIndex checker = new CheckIndex(dir, lock)) {
      return checker.checkIndex();
    }
  }

  private static Lock obtainWriteLock(Directory dir, Path name) throws IOException {
    try {
      return dir.obtainLock(IndexWriter.WRITE_LOCK_NAME);
    } catch (LockObtainFailedException e) {
      throw busy(name, e);
    }
  }

  private static IllegalStateException busy(Path name, LockObtainFailedException e) {
    return new IllegalStateException(
        "index "
            + name
            + " is being written by another process (Lucene write.lock is held); stop it, or"
            + " check a copy of the directory",
        e);
  }

  private static void copyFiles(Path from, Path to) throws IOException {
    Files.createDirectory(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (Files.isRegularFile(f) && !name.equals(IndexWriter.WRITE_LOCK_NAME)) {
          Files.copy(f, to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static void requireIndexDirectory(Path dir) {
    Objects.requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("no index at " + dir + ": the directory does not exist");
    }
  }
}
