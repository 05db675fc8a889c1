package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.junit.jupiter.api.Test;

/** Pins the analysis Anserini's BEIR flat regressions use, so a Lucene upgrade cannot drift. */
class IndexAnalysisTest {

  @Test
  void stopSet_isLucenesAndAnserinis33Words() {
    Set<String> expected =
        Set.of(
            "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
            "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
            "these", "they", "this", "to", "was", "will", "with");
    Set<String> actual = new TreeSet<>();
    EnglishAnalyzer.ENGLISH_STOP_WORDS_SET.forEach(o -> actual.add(new String((char[]) o)));
    assertThat(actual).isEqualTo(expected);
    assertThat(IndexAnalysis.terms(IndexAnalysis.english(), "contents", String.join(" ", expected)))
        .isEmpty();
  }

  @Test
  void chain_possessiveLowercaseStopPorter() {
    assertThat(
            IndexAnalysis.terms(
                IndexAnalysis.english(),
                "contents",
                "The patient's Cells were RUNNING; no NF-κB at 37.5°C in mice-derived tumours"))
        .isEqualTo(
            List.of(
                "patient", "cell", "were", "run", "nf", "κb", "37.5", "c", "mice", "deriv",
                "tumour"));
  }
}
