package dev.winnow.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * The text analysis of the {@code contents} field, as Anserini does it for its BEIR "flat"
 * regressions.
 *
 * <p>Anserini's {@code DefaultEnglishAnalyzer.newDefaultInstance()} is {@code StandardTokenizer →
 * EnglishPossessiveFilter → LowerCaseFilter → StopFilter(EnglishAnalyzer.ENGLISH_STOP_WORDS_SET) →
 * PorterStemFilter}, normalising with {@code LowerCaseFilter}. Lucene 9.12's {@link
 * EnglishAnalyzer} with its default constructor builds the same chain with the same 33-word stop
 * set and an empty stem-exclusion set (checked against the 9.12.3 bytecode), so there is no
 * difference and we use it directly; {@code IndexAnalysisTest} pins the stop set and the chain's
 * output so that a Lucene upgrade that changes either fails loudly. The name below is recorded in
 * every index, and an index built with another analysis is refused.
 */
final class IndexAnalysis {

  /** Recorded in the index; change it whenever the token stream could change. */
  static final String NAME = "lucene-english-porter-33stop";

  private IndexAnalysis() {}

  static Analyzer english() {
    return new EnglishAnalyzer();
  }

  /** The analysed terms of {@code text} in order, duplicates kept. */
  static List<String> terms(Analyzer analyzer, String field, String text) {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = analyzer.tokenStream(field, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot analyse text", e);
    }
    return out;
  }
}
