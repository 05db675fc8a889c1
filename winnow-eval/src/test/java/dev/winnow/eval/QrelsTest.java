package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QrelsTest {

  @TempDir Path dir;

  @Test
  void read_beirTsvWithHeader() throws IOException {
    Path f =
        Files.writeString(
            dir.resolve("test.tsv"), "query-id\tcorpus-id\tscore\n1\t10\t1\n1\t11\t2\n2\t10\t0\n");
    Qrels q = Qrels.read(f);
    assertThat(q.queryIds()).containsExactly("1", "2");
    assertThat(q.judgments("1")).isEqualTo(Map.of("10", 1, "11", 2));
    assertThat(q.relevantCount("1")).isEqualTo(2);
    assertThat(q.relevantCount("2")).isZero();
    assertThat(q.queriesWithoutRelevant()).isEqualTo(1);
    assertThat(q.size()).isEqualTo(3);
    assertThat(q.countUnknownDocuments(id -> id.equals("10"))).isEqualTo(1);
    assertThat(q.restrictTo(List.of("2")).queryIds()).containsExactly("2");
  }

  @Test
  void read_trecFourColumns() throws IOException {
    Path f = Files.writeString(dir.resolve("q.txt"), "301 0 FBIS3-10082 1\n301 0 FBIS3-10169 0\n");
    assertThat(Qrels.read(f).judgments("301")).containsEntry("FBIS3-10082", 1).hasSize(2);
  }

  @Test
  void read_badLines_nameFileAndLine() throws IOException {
    Path f = Files.writeString(dir.resolve("bad.tsv"), "query-id\tcorpus-id\tscore\n1\t10\tx\n");
    assertThatThrownBy(() -> Qrels.read(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("'x'");
    Path g = Files.writeString(dir.resolve("bad2.tsv"), "1 10\n");
    assertThatThrownBy(() -> Qrels.read(g))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1")
        .hasMessageContaining("2 fields");
    Path e = Files.writeString(dir.resolve("empty.tsv"), "query-id\tcorpus-id\tscore\n");
    assertThatThrownBy(() -> Qrels.read(e))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no judgments");
    assertThatThrownBy(() -> Qrels.read(dir.resolve("missing.tsv")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not exist");
  }
}
