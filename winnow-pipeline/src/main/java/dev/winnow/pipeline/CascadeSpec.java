package dev.winnow.pipeline;

import dev.winnow.pipeline.LinearFusion.Normalization;
import dev.winnow.pipeline.LongDocuments.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A search pipeline named as data: first stage, fusion, rerank stages and their options. It is what
 * {@code winnow search}, {@code winnow eval} and regression files say; {@link Cascades#open} builds
 * it over an index.
 *
 * @param retriever {@code bm25}, {@code dense} or {@code hybrid} (BM25 + dense)
 * @param embedder the bi-encoder of dense and hybrid retrieval ({@link Encoders#NAMES})
 * @param exact exact (flat) vector search instead of HNSW
 * @param fusion {@code rrf} or {@code linear}
 * @param rrfK RRF's constant
 * @param alpha linear fusion's weight of BM25 (the dense list gets {@code 1 - alpha})
 * @param normalization linear fusion's score normalisation
 * @param depth how deep each list of a hybrid is before fusion (at least {@code k})
 * @param rerank the rerank stages in order
 * @param crossEncoder options of every cross-encoder stage
 * @param rerankFusion how every rerank stage fuses its score with the earlier tier's (empty: the
 *     stage's score replaces it)
 */
public record CascadeSpec(
    String retriever,
    String embedder,
    boolean exact,
    String fusion,
    int rrfK,
    double alpha,
    Normalization normalization,
    int depth,
    List<RerankSpec> rerank,
    CrossEncoderOptions crossEncoder,
    Optional<RerankFusion> rerankFusion) {

  /** The first stages {@link Cascades} builds. */
  public static final List<String> RETRIEVERS = List.of("bm25", "dense", "hybrid");

  /** The option names {@link #parse} reads. */
  public static final Set<String> OPTIONS =
      new TreeSet<>(
          List.of(
              "embedder",
              "vector-search",
              "fusion",
              "rrf-k",
              "alpha",
              "normalization",
              "depth",
              "rerank",
              "rerank-fusion",
              "strategy",
              "stride",
              "passage-tokens",
              "max-length",
              "variant",
              "cache"));

  /**
   * One rerank stage: a bi-encoder (by name), a cross-encoder or a late-interaction checkpoint (a
   * folder or hub id).
   */
  public record RerankSpec(Kind kind, String model, OptionalInt k) {
    public enum Kind {
      BI_ENCODER("bi-encoder"),
      CROSS_ENCODER("cross-encoder"),
      LATE_INTERACTION("late-interaction");

      private final String prefix;

      Kind(String prefix) {
        this.prefix = prefix;
      }

      /** How the kind is written in a pipeline description. */
      public String prefix() {
        return prefix;
      }
    }

    public RerankSpec {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(k, "k");
      if (k.isPresent() && k.getAsInt() < 1) {
        throw new IllegalArgumentException(
            "k of rerank stage '" + model + "' must be >= 1, got " + k.getAsInt());
      }
    }

    /**
     * Parses {@code bi-encoder:<bge-small|minilm>[@k]}, {@code cross-encoder:<folder or hub
     * id>[@k]} or {@code late-interaction:<folder or hub id>[@k]}.
     */
    public static RerankSpec parse(String text) {
      String t = text.trim();
      int colon = t.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "rerank must be none, bi-encoder:<"
                + String.join("|", Encoders.NAMES)
                + ">[@k], cross-encoder:<model folder or hub id>[@k] or"
                + " late-interaction:<model folder or hub id>[@k]; got '"
                + text
                + "'");
      }
      String kind = t.substring(0, colon).toLowerCase(Locale.ROOT);
      String rest = t.substring(colon + 1);
      OptionalInt k = OptionalInt.empty();
      int at = rest.lastIndexOf('@');
      if (at > 0 && rest.substring(at + 1).matches("-?\\d+")) {
        k = OptionalInt.of(Integer.parseInt(rest.substring(at + 1)));
        rest = rest.substring(0, at);
      }
      if (rest.isBlank()) {
        throw new IllegalArgumentException("rerank '" + text + "' names no model");
      }
      return switch (kind) {
        case "bi-encoder" -> new RerankSpec(Kind.BI_ENCODER, Encoders.canonical(rest), k);
        case "cross-encoder" -> new RerankSpec(Kind.CROSS_ENCODER, rest, k);
        case "late-interaction" -> new RerankSpec(Kind.LATE_INTERACTION, rest, k);
        default ->
            throw new IllegalArgumentException(
                "rerank kind must be bi-encoder, cross-encoder or late-interaction; got '"
                    + kind
                    + "' in '"
                    + text
                    + "'");
      };
    }

    public String label() {
      return kind.prefix() + ":" + model + (k.isPresent() ? "@" + k.getAsInt() : "");
    }
  }

  /** How cross-encoder stages read documents; see {@link LongDocuments}. */
  public record CrossEncoderOptions(
      Strategy strategy,
      OptionalInt stride,
      OptionalInt passageTokens,
      OptionalInt maxLength,
      String variant,
      int cacheSize) {
    public static final CrossEncoderOptions DEFAULTS =
        new CrossEncoderOptions(
            Strategy.TRUNCATE,
            OptionalInt.empty(),
            OptionalInt.empty(),
            OptionalInt.empty(),
            "default",
            0);
  }

  public CascadeSpec {
    Objects.requireNonNull(retriever, "retriever");
    if (!RETRIEVERS.contains(retriever)) {
      throw new IllegalArgumentException(
          "retriever must be one of "
              + String.join(", ", RETRIEVERS)
              + "; got '"
              + retriever
              + "'");
    }
    embedder = Encoders.canonical(embedder);
    if (!fusion.equals("rrf") && !fusion.equals("linear")) {
      throw new IllegalArgumentException("fusion must be one of rrf, linear; got '" + fusion + "'");
    }
    if (rrfK < 0) {
      throw new IllegalArgumentException("rrf-k must be >= 0, got " + rrfK);
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
    Objects.requireNonNull(normalization, "normalization");
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be >= 1, got " + depth);
    }
    rerank = List.copyOf(rerank);
    Objects.requireNonNull(crossEncoder, "crossEncoder");
    Objects.requireNonNull(rerankFusion, "rerankFusion");
  }

  /** BM25 alone, every option at its default. */
  public static CascadeSpec bm25() {
    return parse("bm25", Map.of());
  }

  /**
   * Reads a spec from a retriever name and string options ({@link #OPTIONS}); {@code rerank} is a
   * comma-separated list of stages ({@link RerankSpec#parse}) or {@code none}. Every bad value is
   * reported with its option name and what is allowed.
   */
  public static CascadeSpec parse(String retriever, Map<String, String> options) {
    Map<String, String> o = new TreeMap<>(options);
    for (String key : o.keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown pipeline option '" + key + "'; known: " + String.join(", ", OPTIONS));
      }
    }
    String vs = o.getOrDefault("vector-search", "hnsw").toLowerCase(Locale.ROOT);
    if (!vs.equals("hnsw") && !vs.equals("exact")) {
      throw new IllegalArgumentException(
          "vector-search must be one of hnsw, exact; got '" + vs + "'");
    }
    List<RerankSpec> stages = new ArrayList<>();
    String rr = o.getOrDefault("rerank", "none").trim();
    if (!rr.isEmpty() && !rr.equalsIgnoreCase("none")) {
      for (String part : rr.split(",")) {
        stages.add(RerankSpec.parse(part));
      }
    }
    CrossEncoderOptions ce =
        new CrossEncoderOptions(
            Strategy.parse(o.getOrDefault("strategy", "truncate")),
            optionalInt(o, "stride"),
            optionalInt(o, "passage-tokens"),
            optionalInt(o, "max-length"),
            o.getOrDefault("variant", "default"),
            intOption(o, "cache", 0));
    String rf = o.getOrDefault("rerank-fusion", "none").trim();
    Optional<RerankFusion> rerankFusion =
        rf.equalsIgnoreCase("none") ? Optional.empty() : Optional.of(RerankFusion.parse(rf));
    return new CascadeSpec(
        retriever.trim().toLowerCase(Locale.ROOT),
        o.getOrDefault("embedder", "bge-small"),
        vs.equals("exact"),
        o.getOrDefault("fusion", "rrf").toLowerCase(Locale.ROOT),
        intOption(o, "rrf-k", ReciprocalRankFusion.DEFAULT_K),
        doubleOption(o, "alpha", 0.5),
        Normalization.parse(o.getOrDefault("normalization", "min-max")),
        intOption(o, "depth", 100),
        stages,
        ce,
        rerankFusion);
  }

  /** Whether the first stage reads document vectors. */
  public boolean needsVectors() {
    return !retriever.equals("bm25");
  }

  /** The fusion of a hybrid first stage. */
  public Fusion fusionFunction() {
    return fusion.equals("rrf")
        ? new ReciprocalRankFusion(rrfK)
        : LinearFusion.of(normalization, alpha);
  }

  /** A one-line description for reports. */
  public String describe() {
    StringBuilder sb = new StringBuilder(retriever);
    if (needsVectors()) {
      sb.append("(").append(embedder).append(exact ? ", exact" : ", hnsw").append(")");
    }
    if (retriever.equals("hybrid")) {
      sb.append(" ").append(fusionFunction().name()).append(" depth ").append(depth);
    }
    for (RerankSpec r : rerank) {
      sb.append(" -> ").append(r.label());
    }
    if (rerank.stream().anyMatch(r -> r.kind() == RerankSpec.Kind.CROSS_ENCODER)) {
      sb.append(" [").append(crossEncoder.strategy().label()).append("]");
    }
    if (!rerank.isEmpty()) {
      rerankFusion.ifPresent(f -> sb.append(" fused ").append(f.label()));
    }
    return sb.toString();
  }

  private static OptionalInt optionalInt(Map<String, String> o, String name) {
    return o.containsKey(name) ? OptionalInt.of(intOption(o, name, 0)) : OptionalInt.empty();
  }

  private static int intOption(Map<String, String> o, String name, int fallback) {
    String v = o.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "pipeline option " + name + " must be an integer, got '" + v + "'", e);
    }
  }

  private static double doubleOption(Map<String, String> o, String name, double fallback) {
    String v = o.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "pipeline option " + name + " must be a number, got '" + v + "'", e);
    }
  }

  /** The first-stage options as they would be written back (for reports). */
  public Optional<String> rerankLabel() {
    return rerank.isEmpty()
        ? Optional.empty()
        : Optional.of(String.join(",", rerank.stream().map(RerankSpec::label).toList()));
  }
}
