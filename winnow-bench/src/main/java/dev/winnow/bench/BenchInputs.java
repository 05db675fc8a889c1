package dev.winnow.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the JMH benchmarks find the shared model and data: {@code -Dwinnow.shared=DIR} (default
 * {@code ../shared}, as for the tests), and the inputs they build from them.
 */
final class BenchInputs {

  static final String MINILM = "models/minilm-l6-ce-fixture";
  static final int MAX_LENGTH = 512;

  private BenchInputs() {}

  static Path shared(String relative) {
    return Path.of(System.getProperty("winnow.shared", "../shared"))
        .toAbsolutePath()
        .normalize()
        .resolve(relative);
  }

  static BenchModel model(String variant, int threads) {
    return new BenchModel(shared(MINILM), variant, MAX_LENGTH, threads);
  }

  static FixedLengthInputs fixed(int length, int batch) {
    SciFact data = SciFact.load(shared("data/scifact"));
    try (TokenCounter t = new TokenCounter(shared(MINILM).resolve("tokenizer.json"), MAX_LENGTH)) {
      return FixedLengthInputs.build(data, t, length, batch);
    }
  }

  /** {@code queries} evenly spread SciFact test queries with their BM25 top-{@code k}, fitted. */
  static List<FixedLengthInputs> rerank(int queries, int k) {
    SciFact data = SciFact.load(shared("data/scifact"));
    List<Bm25Candidates.Candidates> all = Bm25Candidates.compute(data, k).candidates();
    List<FixedLengthInputs> out = new ArrayList<>();
    try (TokenCounter t = new TokenCounter(shared(MINILM).resolve("tokenizer.json"), MAX_LENGTH)) {
      for (int i = 0; i < queries; i++) {
        Bm25Candidates.Candidates c = all.get(i * all.size() / queries);
        List<String> docs = new ArrayList<>();
        for (String id : c.docIds()) {
          docs.add(Compare.fitted(t, c.query(), data.corpus().get(id).body()));
        }
        out.add(new FixedLengthInputs(0, c.query(), List.copyOf(docs)));
      }
    }
    return out;
  }

  /** Throws unless {@code actual} matches {@code expected} within {@code tolerance}. */
  static void check(String impl, float[] expected, float[] actual, double tolerance) {
    if (expected.length != actual.length) {
      throw new IllegalStateException(
          impl + " returned " + actual.length + " scores, expected " + expected.length);
    }
    for (int i = 0; i < expected.length; i++) {
      if (Math.abs(expected[i] - actual[i]) > tolerance) {
        throw new IllegalStateException(
            impl
                + " score "
                + i
                + " is "
                + actual[i]
                + ", Winnow's is "
                + expected[i]
                + " (tolerance "
                + tolerance
                + ")");
      }
    }
  }
}
