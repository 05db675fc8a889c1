package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Document;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WinnowIndexTest {

  @TempDir Path tmp;

  private static final Document A =
      new Document("a", "Aspirin", "Aspirin reduces fever.", Map.of("year", "1899"));
  private static final Document B = Document.of("b", "Statins lower cholesterol.");

  @Test
  void open_newDirectory_makesAnEmptyReadableCommit() throws IOException {
    Path dir = tmp.resolve("idx");
    try (WinnowIndex index = WinnowIndex.open(dir)) {
      assertThat(index.size()).isZero();
      try (FSDirectory fs = FSDirectory.open(dir)) {
        assertThat(DirectoryReader.indexExists(fs)).isTrue();
      }
      assertThat(index.info().format()).isEqualTo(IndexInfo.FORMAT_VERSION);
    }
  }

  @Test
  void add_isInvisibleUntilCommit_andDurableAfterReopen() {
    Path dir = tmp.resolve("idx");
    try (WinnowIndex index = WinnowIndex.open(dir)) {
      index.add(List.of(A, B));
      assertThat(index.size()).isZero();
      assertThat(index.get("a")).isEmpty();
      assertThat(index.commit()).isEqualTo(2);
      assertThat(index.get("a")).contains(A);
    }
    try (WinnowIndex reopened = WinnowIndex.openExisting(dir)) {
      assertThat(reopened.size()).isEqualTo(2);
      assertThat(reopened.get("a")).contains(A);
      assertThat(reopened.get("b")).contains(B);
      assertThat(reopened.get("zzz")).isEmpty();
    }
  }

  @Test
  void close_discardsUncommittedAdds() {
    Path dir = tmp.resolve("idx");
    try (WinnowIndex index = WinnowIndex.open(dir)) {
      index.add(List.of(A));
    }
    try (WinnowIndex reopened = WinnowIndex.open(dir)) {
      assertThat(reopened.size()).isZero();
    }
  }

  @Test
  void add_sameId_replacesTheDocument() {
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.add(List.of(A, B));
      index.commit();
      Document a2 = Document.of("a", "Replaced text.");
      index.add(List.of(a2));
      assertThat(index.commit()).isEqualTo(2);
      assertThat(index.get("a")).contains(a2);
      // Within one batch the last one wins.
      index.add(List.of(Document.of("c", "one"), Document.of("c", "two")));
      assertThat(index.commit()).isEqualTo(3);
      assertThat(index.get("c").map(Document::text)).contains("two");
    }
  }

  @Test
  void delete_removesAfterCommit() {
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.add(List.of(A, B));
      index.commit();
      index.delete("a");
      index.delete("not-there");
      assertThat(index.get("a")).isPresent();
      assertThat(index.commit()).isEqualTo(1);
      assertThat(index.get("a")).isEmpty();
    }
  }

  @Test
  void rollback_discardsPendingChanges() {
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.add(List.of(A));
      index.commit();
      index.add(List.of(B));
      index.delete("a");
      index.rollback();
      assertThat(index.commit()).isEqualTo(1);
      assertThat(index.get("a")).isPresent();
      assertThat(index.get("b")).isEmpty();
    }
  }

  @Test
  void ingest_malformedLine_commitsNothingAndNamesTheLine() throws IOException {
    Path dir = tmp.resolve("idx");
    Path corpus = tmp.resolve("corpus.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 250; i++) {
      sb.append("{\"_id\": \"d")
          .append(i)
          .append("\", \"text\": \"text ")
          .append(i)
          .append("\"}\n");
    }
    sb.append("{\"_id\": \"broken\", \"text\": }\n");
    Files.writeString(corpus, sb);
    try (WinnowIndex index = WinnowIndex.open(dir)) {
      index.add(List.of(A));
      index.commit();
      // batch size 100: two batches were added before the bad line 251 was reached
      assertThatThrownBy(() -> index.ingest(corpus, Optional.empty(), 100, n -> {}))
          .isInstanceOf(CorpusFormatException.class)
          .hasMessageContaining(corpus.toString())
          .hasMessageContaining("line 251");
      assertThat(index.size()).isEqualTo(1);
      // the index still works after the rollback
      index.add(List.of(B));
      assertThat(index.commit()).isEqualTo(2);
    }
    try (WinnowIndex reopened = WinnowIndex.openExisting(dir)) {
      assertThat(reopened.size()).isEqualTo(2);
      assertThat(reopened.get("d0")).isEmpty();
    }
  }

  @Test
  void ingest_commitsAndReportsProgress() throws IOException {
    Path corpus = tmp.resolve("corpus.jsonl");
    Files.writeString(
        corpus,
        "{\"_id\": \"1\", \"text\": \"x\"}\n{\"_id\": \"2\", \"text\": \"y\"}\n"
            + "{\"_id\": \"1\", \"text\": \"z\"}\n");
    List<Long> progress = new ArrayList<>();
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      IngestResult r = index.ingest(corpus, Optional.empty(), 2, progress::add);
      assertThat(r.documentsRead()).isEqualTo(3);
      assertThat(r.documentsInIndex()).isEqualTo(2);
      assertThat(progress).containsExactly(2L, 3L);
      assertThat(index.get("1").map(Document::text)).contains("z");
    }
  }

  @Test
  void ingest_emptyCorpus_isAClearError() throws IOException {
    Path corpus = tmp.resolve("empty.jsonl");
    Files.writeString(corpus, "\n");
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      assertThatThrownBy(() -> index.ingest(corpus, Optional.empty(), 10, n -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(corpus.toString())
          .hasMessageContaining("no documents");
    }
  }

  @Test
  void ingest_withPendingChanges_isRefused() {
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.add(List.of(A));
      assertThatThrownBy(() -> index.ingest(List.of(B).iterator(), Optional.empty(), 10, n -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("uncommitted");
    }
  }

  @Test
  void open_foreignFiles_isRefused() throws IOException {
    Path dir = tmp.resolve("notes");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("todo.txt"), "hello");
    assertThatThrownBy(() -> WinnowIndex.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not empty")
        .hasMessageContaining("todo.txt");
    assertThat(Files.list(dir).count()).isEqualTo(1);
  }

  @Test
  void open_luceneIndexFromAnotherProgram_isRefused() throws IOException {
    Path dir = tmp.resolve("other");
    try (FSDirectory fs = FSDirectory.open(dir);
        IndexWriter w = new IndexWriter(fs, new IndexWriterConfig(new StandardAnalyzer()))) {
      w.addDocument(new org.apache.lucene.document.Document());
      w.commit();
    }
    assertThatThrownBy(() -> WinnowIndex.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Winnow did not write");
  }

  @Test
  void open_newerFormat_isRefused() throws IOException {
    Path dir = tmp.resolve("future");
    try (FSDirectory fs = FSDirectory.open(dir);
        IndexWriter w = new IndexWriter(fs, new IndexWriterConfig(new StandardAnalyzer()))) {
      w.setLiveCommitData(
          Map.of(IndexInfo.FORMAT_KEY, "99", IndexInfo.ANALYSIS_KEY, IndexAnalysis.NAME)
              .entrySet());
      w.commit();
    }
    assertThatThrownBy(() -> WinnowIndex.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("newer Winnow")
        .hasMessageContaining("99");
  }

  @Test
  void open_olderFormat_isRefusedWithReindexAdvice() throws IOException {
    Path dir = tmp.resolve("past");
    try (FSDirectory fs = FSDirectory.open(dir);
        IndexWriter w = new IndexWriter(fs, new IndexWriterConfig(new StandardAnalyzer()))) {
      w.setLiveCommitData(
          Map.of(IndexInfo.FORMAT_KEY, "1", IndexInfo.ANALYSIS_KEY, IndexAnalysis.NAME).entrySet());
      w.commit();
    }
    assertThatThrownBy(() -> WinnowIndex.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("older Winnow")
        .hasMessageContaining("re-index");
  }

  @Test
  void openExisting_missing_isClear() {
    assertThatThrownBy(() -> WinnowIndex.openExisting(tmp.resolve("nothing")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no index at");
  }

  @Test
  void open_pathIsAFile_isClear() throws IOException {
    Path f = Files.writeString(tmp.resolve("f"), "x");
    assertThatThrownBy(() -> WinnowIndex.open(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a file");
  }

  @Test
  void closed_index_refusesUse() {
    WinnowIndex index = WinnowIndex.inMemory();
    index.close();
    index.close();
    assertThatThrownBy(index::size).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void vectors_dimensionModelAndPresenceAreChecked() {
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.add(List.of(A), new float[][] {{1, 0, 0}}, "toy");
      index.commit();
      assertThat(index.info().vectorDimension()).hasValue(3);
      assertThat(index.info().vectorModel()).contains("toy");
      assertThatThrownBy(() -> index.add(List.of(B)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("without vectors");
      assertThatThrownBy(() -> index.add(List.of(B), new float[][] {{1, 0}}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dimension 3");
      assertThatThrownBy(() -> index.add(List.of(B), new float[][] {{0, 0, 0}}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("norm 0");
      assertThatThrownBy(() -> index.add(List.of(B), new float[][] {{Float.NaN, 0, 0}}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("non-finite");
      assertThatThrownBy(() -> index.add(List.of(B), new float[][] {{1, 0, 0}}, "other"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'toy'");
      assertThatThrownBy(() -> index.add(List.of(A, B), new float[][] {{1, 0, 0}}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("one row per document");
    }
  }

  @Test
  void vectors_survivereopen() {
    Path dir = tmp.resolve("vec");
    try (WinnowIndex index = WinnowIndex.open(dir)) {
      index.add(List.of(A, B), new float[][] {{3, 4}, {0, 2}}, "toy");
      index.commit();
    }
    try (WinnowIndex index = WinnowIndex.openExisting(dir)) {
      assertThat(index.info().vectorDimension()).hasValue(2);
      assertThat(index.info().vectorModel()).contains("toy");
    }
  }
}
