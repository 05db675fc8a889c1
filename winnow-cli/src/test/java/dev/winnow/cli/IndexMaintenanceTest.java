package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.api.Document;
import dev.winnow.index.WinnowIndex;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexMaintenanceTest {

  @TempDir Path tmp;
  private Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void twoSegments() {
    dir = tmp.resolve("idx");
    try (WinnowIndex index = WinnowIndex.open(dir)) {
      index.add(List.of(Document.of("a", "aspirin fever"), Document.of("b", "statins")));
      index.commit();
      index.add(List.of(Document.of("c", "vitamin d"), Document.of("d", "zinc colds")));
      index.commit();
    }
  }

  private int run(String... args) {
    var cl = Winnow.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private void damageNewestSegment() throws IOException {
    Path cfs;
    try (Stream<Path> files = Files.list(dir)) {
      cfs =
          files
              .filter(p -> p.getFileName().toString().endsWith(".cfs"))
              .max(Comparator.comparing(p -> p.getFileName().toString()))
              .orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(cfs.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 1);
    }
  }

  @Test
  void check_cleanIndex_exits0() {
    assertThat(run("index", "check", dir.toString())).isZero();
    assertThat(out.toString()).contains("2 segment(s), 4 document(s), no problems found");
  }

  @Test
  void check_damagedIndex_exits1AndSaysWhatARepairDrops() throws IOException {
    damageNewestSegment();
    assertThat(run("index", "check", dir.toString())).isEqualTo(1);
    assertThat(out.toString()).contains("1 damaged segment(s)").contains("would drop 2 of 4");
  }

  @Test
  void repair_withoutYes_changesNothing_thenWithYesDropsTheSegment() throws IOException {
    damageNewestSegment();
    assertThat(run("index", "repair", dir.toString())).isEqualTo(1);
    assertThat(out.toString()).contains("run again with --yes");
    assertThat(run("index", "check", dir.toString())).isEqualTo(1);

    assertThat(run("index", "repair", dir.toString(), "--yes")).isZero();
    assertThat(out.toString()).contains("dropped 2 document(s), kept 2");
    assertThat(run("index", "check", dir.toString())).isZero();
    try (WinnowIndex index = WinnowIndex.openExisting(dir)) {
      assertThat(index.size()).isEqualTo(2);
    }
  }

  @Test
  void check_missingDirectory_exits2() {
    assertThat(run("index", "check", tmp.resolve("none").toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith("winnow: no index at");
  }
}
