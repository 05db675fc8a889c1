package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every I/O failure is one line naming the path and the cause, exit 2; a flag error is one line
 * pointing at the command's help. The unwritable paths are made with a regular file where a
 * directory must be, which refuses root too; the permission cases also run with real modes when the
 * tests do not run as root (root ignores them).
 */
class CliErrorsTest {

  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private static void assertOneLine(CliRun r, String... fragments) {
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err().lines()).as(r.err()).hasSize(1);
    assertThat(r.err()).startsWith("winnow: ").doesNotContain("Exception").doesNotContain("\tat ");
    for (String f : fragments) {
      assertThat(r.err()).contains(f);
    }
  }

  private Path corpus() throws IOException {
    return Files.writeString(
        tmp.resolve("corpus.jsonl"),
        "{\"_id\": \"d1\", \"text\": \"Aspirin reduces fever.\"}\n"
            + "{\"_id\": \"d2\", \"text\": \"Statins lower cholesterol.\"}\n");
  }

  private Path dataset() throws IOException {
    Path d = tmp.resolve("data");
    Files.createDirectories(d.resolve("qrels"));
    Files.copy(corpus(), d.resolve("corpus.jsonl"));
    Files.writeString(d.resolve("queries.jsonl"), "{\"_id\": \"q1\", \"text\": \"aspirin\"}\n");
    Files.writeString(d.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
    return d;
  }

  /** A regular file: nothing can be created below it, whoever asks. */
  private Path fileInTheWay() throws IOException {
    return Files.writeString(tmp.resolve("a-file"), "x");
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  @Test
  void index_unwritableDirectory_oneLineWithPathAndCause() throws IOException {
    Path idx = fileInTheWay().resolve("idx");
    CliRun r = run("index", "--corpus", corpus().toString(), "--index", idx.toString());
    assertOneLine(r, idx.toString(), "not a directory");
  }

  @Test
  void index_readOnlyParent_oneLinePermissionDenied() throws IOException {
    assumeTrue(!root(), "root ignores permission bits; the file-in-the-way case covers root");
    Path parent = Files.createDirectory(tmp.resolve("ro"));
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("r-xr-xr-x"));
    CliRun r =
        run("index", "--corpus", corpus().toString(), "--index", parent.resolve("i").toString());
    assertOneLine(r, parent.resolve("i").toString(), "permission denied");
  }

  @Test
  void serve_unwritableIndex_oneLineBeforeAnyModelLoads() throws IOException {
    Path idx = fileInTheWay().resolve("idx");
    CliRun r = run("serve", "--index", idx.toString(), "--model", tmp + "/no-model", "--port", "0");
    assertOneLine(r, idx.toString(), "not a directory");
  }

  @Test
  void eval_unwritableIndex_oneLine() throws IOException {
    Path idx = fileInTheWay().resolve("idx");
    CliRun r = run("eval", "--dataset", dataset().toString(), "--index", idx.toString());
    assertOneLine(r, idx.toString(), "not a directory");
  }

  @Test
  void eval_cacheNotOurs_oneLine() throws IOException {
    Path cache = fileInTheWay().resolve("cache");
    String before = System.getProperty("winnow.cache");
    System.setProperty("winnow.cache", cache.toString());
    try {
      CliRun r = run("eval", "--dataset", dataset().toString());
      assertOneLine(r, cache.toString(), "cannot build the cached index");
    } finally {
      if (before == null) {
        System.clearProperty("winnow.cache");
      } else {
        System.setProperty("winnow.cache", before);
      }
    }
  }

  @Test
  void indexCheck_readOnlyIndex_oneLine() throws IOException {
    Path idx = tmp.resolve("idx");
    assertThat(run("index", "--corpus", corpus().toString(), "--index", idx.toString()).code())
        .isZero();
    if (root()) {
      // Root writes through modes: take the lock file's place with a directory instead.
      Files.deleteIfExists(idx.resolve("write.lock"));
      Files.createDirectory(idx.resolve("write.lock"));
    } else {
      Files.setPosixFilePermissions(idx, PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    try {
      CliRun r = run("index", "check", idx.toString());
      assertOneLine(r, idx.toString());
    } finally {
      Files.setPosixFilePermissions(idx, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void ioLine_accessDenied_namesPathAndCauseOnce() {
    String line =
        Failures.ioLine(
                new UncheckedIOException(
                    "cannot open index /srv/idx", new AccessDeniedException("/srv/idx")))
            .orElseThrow();
    assertThat(line).isEqualTo("cannot open index /srv/idx: permission denied");
    String other =
        Failures.ioLine(
                new UncheckedIOException(
                    "cannot build the cached index /c/indexes/x",
                    new AccessDeniedException("/c/indexes")))
            .orElseThrow();
    assertThat(other)
        .isEqualTo("cannot build the cached index /c/indexes/x: /c/indexes: permission denied");
    assertThat(Failures.ioLine(new IllegalArgumentException("k must be >= 1"))).isEmpty();
  }

  @Test
  void flagError_oneLinePointingAtTheCommandsHelp() {
    CliRun r = run("search", "--query", "q", "--bogus");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().lines()).as(r.err()).hasSize(1);
    assertThat(r.err()).contains("--bogus").contains("see `winnow search --help`");
    CliRun nested = run("index", "check");
    assertThat(nested.err().lines()).as(nested.err()).hasSize(1);
    assertThat(nested.err()).contains("see `winnow index check --help`");
  }

  @Test
  void version_isTheBuildsVersion() {
    CliRun r = run("-V");
    assertThat(r.code()).isZero();
    assertThat(r.out().trim()).matches("winnow \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }
}
