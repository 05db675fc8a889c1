package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Document;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged index is refused at open and described by CheckIndex: a flipped bit inside a segment, a
 * truncated {@code segments_N}, a missing segment file. Repair drops exactly the damaged segment.
 */
class IndexIntegrityTest {

  @TempDir Path tmp;

  /** Two committed batches in two segments: a..e in the first, f..j in the second. */
  private Path twoSegments() {
    Path dir = tmp.resolve("idx");
    try (WinnowIndex index = WinnowIndex.open(dir)) {
      index.add(docs(0, 5));
      index.commit();
      index.add(docs(5, 10));
      index.commit();
      assertThat(index.size()).isEqualTo(10);
    }
    return dir;
  }

  private static List<Document> docs(int from, int to) {
    List<Document> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(Document.of(Character.toString('a' + i), "document number " + i + " about fever"));
    }
    return out;
  }

  /** The newest segment's compound file (the second batch). */
  private static Path lastSegmentFile(Path dir, String extension) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(extension))
          .max(Comparator.comparing(p -> p.getFileName().toString()))
          .orElseThrow();
    }
  }

  private static Path segmentsFile(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("segments_"))
          .findFirst()
          .orElseThrow();
    }
  }

  private static void flipBit(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x10);
    }
  }

  @Test
  void check_cleanIndex_reportsNoProblems() {
    Path dir = twoSegments();
    IndexIntegrity.Report r = IndexIntegrity.check(dir);
    assertThat(r.clean()).isTrue();
    assertThat(r.segments()).isEqualTo(2);
    assertThat(r.documents()).isEqualTo(10);
    assertThat(r.lines()).first().asString().contains("no problems found");
  }

  @Test
  void open_flippedBitInASegment_isRefusedAsCorrupt() throws IOException {
    Path dir = twoSegments();
    Path cfs = lastSegmentFile(dir, ".cfs");
    flipBit(cfs, Files.size(cfs) / 2);

    assertThatThrownBy(() -> WinnowIndex.openExisting(dir))
        .isInstanceOf(IndexCorruptException.class)
        .hasMessageContaining("is corrupt")
        .hasMessageContaining("checksum");
    assertThatThrownBy(() -> WinnowIndex.open(dir)).isInstanceOf(IndexCorruptException.class);

    IndexIntegrity.Report r = IndexIntegrity.check(dir);
    assertThat(r.clean()).isFalse();
    assertThat(r.repairable()).isTrue();
    assertThat(r.problems()).hasSize(1);
    assertThat(r.documentsLost()).isEqualTo(5);
    assertThat(String.join("\n", r.lines())).contains("would drop 5 of 10 document(s)");
  }

  @Test
  void repair_dropsTheDamagedSegment_keepsTheRest_andKeepsABackup() throws IOException {
    Path dir = twoSegments();
    Path cfs = lastSegmentFile(dir, ".cfs");
    flipBit(cfs, Files.size(cfs) / 2);

    IndexIntegrity.Repair repair = IndexIntegrity.repair(dir);
    assertThat(repair.documentsDropped()).isEqualTo(5);
    assertThat(repair.documentsKept()).isEqualTo(5);
    assertThat(repair.backup()).isDirectory();
    assertThat(IndexIntegrity.check(repair.backup()).clean()).isFalse();

    assertThat(IndexIntegrity.check(dir).clean()).isTrue();
    try (WinnowIndex index = WinnowIndex.openExisting(dir)) {
      assertThat(index.size()).isEqualTo(5);
      assertThat(index.get("a")).isPresent();
      assertThat(index.get("f")).isEmpty();
      // The repaired index takes writes again.
      index.add(docs(5, 6));
      assertThat(index.commit()).isEqualTo(6);
    }
  }

  @Test
  void repair_cleanIndex_isRefused() {
    Path dir = twoSegments();
    assertThatThrownBy(() -> IndexIntegrity.repair(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("clean; nothing to repair");
  }

  @Test
  void open_truncatedSegmentsFile_isRefused_andCheckSaysNotRepairable() throws IOException {
    Path dir = twoSegments();
    Path segments = segmentsFile(dir);
    try (RandomAccessFile f = new RandomAccessFile(segments.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }

    assertThatThrownBy(() -> WinnowIndex.openExisting(dir))
        .isInstanceOf(IndexCorruptException.class)
        .hasMessageContaining(segments.getFileName().toString());

    IndexIntegrity.Report r = IndexIntegrity.check(dir);
    assertThat(r.commitReadable()).isFalse();
    assertThat(r.repairable()).isFalse();
    assertThat(String.join("\n", r.lines())).contains("restore the index from a backup");
    assertThatThrownBy(() -> IndexIntegrity.repair(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot be read");
  }

  @Test
  void open_missingSegmentFile_isRefusedAsCorrupt() throws IOException {
    Path dir = twoSegments();
    Path cfs = lastSegmentFile(dir, ".cfs");
    Files.delete(cfs);

    assertThatThrownBy(() -> WinnowIndex.openExisting(dir))
        .isInstanceOf(IndexCorruptException.class)
        .hasMessageContaining(cfs.getFileName().toString());
    IndexIntegrity.Report r = IndexIntegrity.check(dir);
    assertThat(r.clean()).isFalse();
  }

  @Test
  void check_missingDirectory_namesIt() {
    Path dir = tmp.resolve("nope");
    assertThatThrownBy(() -> IndexIntegrity.check(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void check_whileAWriterHoldsTheLock_isRefusedWithAClearMessage() {
    Path dir = twoSegments();
    try (WinnowIndex index = WinnowIndex.open(dir)) {
      index.add(docs(10, 11)); // takes the write lock
      assertThatThrownBy(() -> IndexIntegrity.check(dir))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("write.lock is held");
    }
  }
}
