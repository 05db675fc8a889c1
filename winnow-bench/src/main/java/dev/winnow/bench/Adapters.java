package dev.winnow.bench;

import java.util.List;

/**
 * Builds an in-process {@link PairScorerAdapter} by name: one of {@link #NAMES}, {@code
 * winnow+overhead=N} (the engine with another batch overhead), or {@code tuned:knob=value,...} for
 * the engine-settings exploration ({@link TunedOrtScorer}).
 */
public final class Adapters {

  /** The in-process implementations, in the order tables list them. */
  public static final List<String> NAMES = List.of("winnow", "naive-ort", "langchain4j", "djl");

  private static final String OVERHEAD = "winnow+overhead=";

  /**
   * The engine as shipped in a worker started with {@code ORT_DISABLE_FLASH_ATTENTION=1} ({@link
   * WorkerProcess}): its unpadded batches run ONNX Runtime's ordinary attention kernel instead of
   * the flash one, to show what that path buys.
   */
  public static final String NO_FLASH = "winnow-noflash";

  private Adapters() {}

  /** Whether {@link #create} knows {@code name}. */
  public static boolean known(String name) {
    return NAMES.contains(name)
        || name.equals("winnow-unfused")
        || name.equals(NO_FLASH)
        || name.startsWith(OVERHEAD)
        || name.startsWith("tuned:")
        || name.equals("tuned");
  }

  public static PairScorerAdapter create(String name, BenchModel model) {
    if (name.startsWith("tuned:") || name.equals("tuned")) {
      return new TunedOrtScorer(name, model);
    }
    if (name.startsWith(OVERHEAD)) {
      // The engine as shipped but for the batch plan's per-batch overhead, e.g. winnow+overhead=64.
      return new WinnowScorer(model, true, Integer.parseInt(name.substring(OVERHEAD.length())));
    }
    return switch (name) {
      case "winnow" -> new WinnowScorer(model, true);
      case "winnow-unfused" -> new WinnowScorer(model, false);
      case NO_FLASH -> new WinnowScorer(model, NO_FLASH);
      case "naive-ort" -> new NaiveOrtScorer(model);
      case "langchain4j" -> new LangChain4jScorer(model);
      case "djl" -> new DjlScorer(model);
      default ->
          throw new IllegalArgumentException(
              "implementation must be one of "
                  + NAMES
                  + ", winnow-unfused, winnow-noflash, winnow+overhead=N or tuned:..., got '"
                  + name
                  + "'");
    };
  }
}
