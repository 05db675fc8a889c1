package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Hit;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrecRunTest {

  @TempDir Path dir;

  private static Hit hit(String id, int rank, double score) {
    return Hit.firstStage(id, "", rank, score, "test");
  }

  @Test
  void write_keepsScoresThatTrecEvalWouldNotReorder() throws IOException {
    StringWriter out = new StringWriter();
    TrecRun.write(
        out, Map.of("q1", List.of(hit("b", 1, 2.5), hit("a", 2, 2.5), hit("c", 3, 1))), "t");
    assertThat(out.toString()).isEqualTo("q1 Q0 b 1 2.5 t\nq1 Q0 a 2 2.5 t\nq1 Q0 c 3 1.0 t\n");
  }

  @Test
  void write_nudgesScoresSoTrecEvalSeesOurOrder() throws IOException {
    // Our order: a before b at equal score (e.g. a reranker tie broken by first-stage rank);
    // trec_eval would put b first (docno descending), so a's successor gets a smaller score.
    Map<String, List<Hit>> run = new LinkedHashMap<>();
    run.put("q1", List.of(hit("a", 1, 2.5), hit("b", 2, 2.5), hit("c", 3, 3.0), hit("d", 4, 1)));
    Path f = dir.resolve("run.txt");
    TrecRun.write(f, run, "t");
    Map<String, List<TrecRun.Line>> read = TrecRun.read(f);
    assertThat(TrecRun.rankings(read).get("q1")).containsExactly("a", "b", "c", "d");
    List<TrecRun.Line> lines = read.get("q1");
    assertThat(lines.get(0).score()).isEqualTo(2.5);
    assertThat(lines.get(1).score()).isEqualTo((double) Math.nextDown(2.5f));
    assertThat(lines.get(2).score()).isEqualTo((double) Math.nextDown(Math.nextDown(2.5f)));
    assertThat(lines.get(3).score()).isEqualTo(1.0);
    assertThat(lines).extracting(TrecRun.Line::rank).containsExactly(1, 2, 3, 4);
  }

  @Test
  void write_comparesAsFloats_likeTrecEval() throws IOException {
    // 2.5 and 2.49999999 differ as doubles but are the same float, so trec_eval would tie them
    // and put b (larger docno) first; the writer must separate them in float precision.
    StringWriter out = new StringWriter();
    TrecRun.write(out, Map.of("q", List.of(hit("a", 1, 2.5), hit("b", 2, 2.49999999))), "t");
    String second = out.toString().split("\n")[1].split(" ")[4];
    assertThat((float) Double.parseDouble(second)).isEqualTo(Math.nextDown(2.5f));
  }

  @Test
  void read_sortsAsTrecEvalDoes() throws IOException {
    Path f = dir.resolve("r.txt");
    java.nio.file.Files.writeString(
        f, "q 0 a 1 1.0 x\nq Q0 c 2 1.0 x\nq Q0 b 3 2.0 x\nq Q0 B 4 1.0 x\n");
    // score desc, then docno desc by byte: c > a > B
    assertThat(TrecRun.rankings(TrecRun.read(f)).get("q")).containsExactly("b", "c", "a", "B");
  }

  @Test
  void write_rejectsWhatTheFormatCannotHold() {
    assertThatThrownBy(
            () -> TrecRun.write(new StringWriter(), Map.of("q 1", List.of(hit("a", 1, 1))), "t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query id");
    assertThatThrownBy(
            () -> TrecRun.write(new StringWriter(), Map.of("q", List.of(hit("a b", 1, 1))), "t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("document id");
    assertThatThrownBy(
            () ->
                TrecRun.write(
                    new StringWriter(), Map.of("q", List.of(hit("a", 1, 1), hit("a", 2, 0))), "t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> TrecRun.write(new StringWriter(), Map.of(), "my tag"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tag");
  }

  @Test
  void compareUtf8_isCodePointOrder() {
    assertThat(TrecRun.compareUtf8("a", "b")).isNegative();
    assertThat(TrecRun.compareUtf8("ab", "a")).isPositive();
    // U+FFFD sorts below U+1F600 in UTF-8 bytes, although its UTF-16 unit is larger
    assertThat(TrecRun.compareUtf8("\uFFFD", "\uD83D\uDE00")).isNegative();
    assertThat("\uFFFD".compareTo("\uD83D\uDE00")).isPositive();
  }
}
