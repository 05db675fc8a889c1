package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.api.Document;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (SIGKILL) in the middle of an ingestion leaves the index as of its last commit:
 * a fresh index stays readable and empty thanks to the empty commit made at creation, and an index
 * with committed documents keeps exactly those. The lock dies with the process.
 */
class CrashDuringIngestTest {

  @TempDir Path tmp;

  /** Child process: ingests an endless slow stream into {@code args[0]} until it is killed. */
  public static void main(String[] args) {
    try (WinnowIndex index = WinnowIndex.open(Path.of(args[0]))) {
      Iterator<Document> endless =
          new Iterator<>() {
            long n;

            @Override
            public boolean hasNext() {
              return true;
            }

            @Override
            public Document next() {
              n++;
              if (n == 250) {
                System.out.println("ADDED"); // two batches of 100 are in the writer by now
                System.out.flush();
              }
              if (n > 250) {
                try {
                  Thread.sleep(5);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return Document.of("crash" + n, "text of document " + n);
            }
          };
      index.ingest(endless, Optional.empty(), 100, x -> {});
    }
  }

  private void ingestAndKill(Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashDuringIngestTest.class.getName(),
                dir.toString())
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      StringBuilder seen = new StringBuilder();
      while ((line = out.readLine()) != null && !line.equals("ADDED")) {
        seen.append(line).append('\n');
      }
      assertThat(line).as("child output:\n%s", seen).isEqualTo("ADDED");
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void killedDuringFirstIngest_leavesAnEmptyReadableIndex() throws Exception {
    Path dir = tmp.resolve("fresh");
    ingestAndKill(dir);
    try (WinnowIndex index = WinnowIndex.openExisting(dir)) {
      assertThat(index.size()).isZero();
      assertThat(index.info().format()).isEqualTo(IndexInfo.FORMAT_VERSION);
      index.add(List.of(Document.of("after", "the crash"))); // the lock died with the process
      assertThat(index.commit()).isEqualTo(1);
    }
  }

  @Test
  void killedDuringLaterIngest_keepsTheLastCommit() throws Exception {
    Path dir = tmp.resolve("used");
    try (WinnowIndex index = WinnowIndex.open(dir)) {
      index.add(List.of(Document.of("kept", "committed before the crash")));
      index.commit();
    }
    ingestAndKill(dir);
    try (WinnowIndex index = WinnowIndex.openExisting(dir)) {
      assertThat(index.size()).isEqualTo(1);
      assertThat(index.get("kept")).isPresent();
      assertThat(index.get("crash1")).isEmpty();
    }
  }
}
