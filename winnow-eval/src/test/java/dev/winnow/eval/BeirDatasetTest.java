package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Query;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeirDatasetTest {

  @TempDir Path tmp;

  @Test
  void load_queriesOfTheSplitInFileOrder() throws IOException {
    BeirDataset d = BeirDataset.load(TinyBeir.write(tmp.resolve("tiny")), "test");
    assertThat(d.queries()).extracting(Query::id).containsExactly("q1", "q2", "q3");
    assertThat(d.queries().get(0).text()).isEqualTo("aspirin reduce fever");
    assertThat(d.qrels().size()).isEqualTo(5);
    assertThat(d.qrelsQueriesWithoutText()).isZero();
    assertThat(d.corpus().getFileName().toString()).isEqualTo("corpus.jsonl");
    BeirDataset first = d.firstQueries(2);
    assertThat(first.queries()).extracting(Query::id).containsExactly("q1", "q2");
    assertThat(first.qrels().queryIds()).containsExactly("q1", "q2");
  }

  @Test
  void load_missingSplit_listsTheAvailableOnes() throws IOException {
    Path dir = TinyBeir.write(tmp.resolve("tiny"));
    assertThatThrownBy(() -> BeirDataset.load(dir, "dev"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no split 'dev'")
        .hasMessageContaining("[test, train]");
    assertThatThrownBy(() -> BeirDataset.load(dir, "../x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plain name");
  }

  @Test
  void load_noQueriesForTheSplit_isAClearError() throws IOException {
    Path dir = TinyBeir.write(tmp.resolve("tiny"));
    Files.writeString(dir.resolve("qrels/other.tsv"), "query-id\tcorpus-id\tscore\nzz\td1\t1\n");
    assertThatThrownBy(() -> BeirDataset.load(dir, "other"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no queries to run");
  }

  @Test
  void load_qrelsQueryWithoutText_isCounted() throws IOException {
    Path dir = TinyBeir.write(tmp.resolve("tiny"));
    Files.writeString(
        dir.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq99\td1\t1\n");
    BeirDataset d = BeirDataset.load(dir, "test");
    assertThat(d.qrelsQueriesWithoutText()).isEqualTo(1);
    assertThat(d.qrels().queryIds()).containsExactly("q1", "q99");
  }

  @Test
  void load_notABeirFolder_isClear() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> BeirDataset.load(dir, "test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("corpus.jsonl is missing");
    assertThatThrownBy(() -> BeirDataset.load(tmp.resolve("nope"), "test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not exist");
  }
}
