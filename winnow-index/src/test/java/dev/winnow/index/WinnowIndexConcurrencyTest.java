package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Document;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Searches run while another thread writes and commits; a second writer is refused. */
class WinnowIndexConcurrencyTest {

  @TempDir Path tmp;

  @Test
  void searchesDuringCommits_seeOnlyWholeCommits() throws Exception {
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      Bm25Retriever bm25 = new Bm25Retriever(index);
      AtomicBoolean writing = new AtomicBoolean(true);
      ExecutorService pool =
          Executors.newFixedThreadPool(
              3,
              r -> {
                Thread t = new Thread(r, "concurrency-test");
                t.setDaemon(true);
                return t;
              });
      try {
        Future<Integer> writer =
            pool.submit(
                () -> {
                  // each commit adds a batch of 10 documents that all match "shared"
                  for (int batch = 0; batch < 20; batch++) {
                    List<Document> docs = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                      docs.add(Document.of("b" + batch + "-" + i, "shared words batch" + batch));
                    }
                    index.add(docs);
                    index.commit();
                  }
                  writing.set(false);
                  return index.size();
                });
        List<Future<Integer>> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
          readers.add(
              pool.submit(
                  () -> {
                    int checks = 0;
                    while (writing.get() || checks == 0) {
                      List<Hit> hits = bm25.retrieve(Query.of("shared"), 1000);
                      // a search sees whole commits only: a multiple of the batch size
                      assertThat(hits.size() % 10).isZero();
                      checks++;
                    }
                    return checks;
                  }));
        }
        assertThat(writer.get(60, TimeUnit.SECONDS)).isEqualTo(200);
        for (Future<Integer> f : readers) {
          assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void secondWriterOnOneDirectory_isRefusedClearly() {
    Path dir = tmp.resolve("idx");
    try (WinnowIndex first = WinnowIndex.open(dir);
        WinnowIndex second = WinnowIndex.open(dir)) {
      first.add(List.of(Document.of("a", "x")));
      assertThatThrownBy(() -> second.add(List.of(Document.of("b", "y"))))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("being written by another process");
      first.commit();
      // another instance sees the commit once it refreshes; a new one sees it at once
      assertThat(second.get("a")).isEmpty();
      second.refresh();
      assertThat(second.get("a")).isPresent();
      try (WinnowIndex reader = WinnowIndex.openExisting(dir)) {
        assertThat(reader.get("a")).isPresent();
      }
    }
  }
}
