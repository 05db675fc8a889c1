package dev.winnow.bench;

import java.util.List;

/**
 * Builds an in-process {@link PairScorerAdapter} by name: one of {@link #NAMES}, or {@code
 * tuned:knob=value,...} for the engine-settings exploration ({@link TunedOrtScorer}).
 */
public final class Adapters {

  /** The in-process implementations, in the order tables list them. */
  public static final List<String> NAMES = List.of("winnow", "naive-ort", "langchain4j", "djl");

  private Adapters() {}

  public static PairScorerAdapter create(String name, BenchModel model) {
    if (name.startsWith("tuned:") || name.equals("tuned")) {
      return new TunedOrtScorer(name, model);
    }
    return switch (name) {
      case "winnow" -> new WinnowScorer(model, true);
      case "winnow-unfused" -> new WinnowScorer(model, false);
      case "naive-ort" -> new NaiveOrtScorer(model);
      case "langchain4j" -> new LangChain4jScorer(model);
      case "djl" -> new DjlScorer(model);
      default ->
          throw new IllegalArgumentException(
              "implementation must be one of "
                  + NAMES
                  + ", winnow-unfused or tuned:..., got '"
                  + name
                  + "'");
    };
  }
}
