package dev.winnow.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.Encoder;
import dev.winnow.api.Reranker;
import dev.winnow.api.Retriever;
import dev.winnow.api.ScoringOptions;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.onnx.OnnxLateInteraction;
import dev.winnow.onnx.hub.ModelResolver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Builds the {@link Pipeline} a {@link CascadeSpec} names over a {@link WinnowIndex}, opening the
 * models it needs once (a bi-encoder used for dense retrieval and for rescoring is one encoder,
 * whose query embeddings are cached). The result owns the models; the caller keeps owning the
 * index.
 */
public final class Cascades {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Cascades() {}

  /**
   * A built pipeline and the models it opened; closing it closes them. {@link #pipeline(int, int)}
   * gives the same stages at other depths without opening anything again. Thread-safe to search.
   */
  public static final class Opened implements AutoCloseable {
    private final Retriever first;
    private final List<Reranker> rerankers;
    private final List<OptionalInt> rerankK;
    private final Pipeline pipeline;
    private final List<AutoCloseable> resources;

    Opened(
        Retriever first,
        List<Reranker> rerankers,
        List<OptionalInt> rerankK,
        int k,
        int topN,
        List<AutoCloseable> resources) {
      this.first = first;
      this.rerankers = List.copyOf(rerankers);
      this.rerankK = List.copyOf(rerankK);
      this.resources = List.copyOf(resources);
      this.pipeline = pipeline(k, topN);
    }

    /** The pipeline at the depths it was opened with. */
    public Pipeline pipeline() {
      return pipeline;
    }

    /**
     * The same stages with {@code k} first-stage candidates and {@code topN} hits out; a rerank
     * stage without its own k reads {@code k}.
     */
    public Pipeline pipeline(int k, int topN) {
      List<Pipeline.Stage> stages = new ArrayList<>(rerankers.size());
      for (int i = 0; i < rerankers.size(); i++) {
        stages.add(new Pipeline.Stage(rerankers.get(i), rerankK.get(i).orElse(k)));
      }
      return new Pipeline(first, k, stages, topN);
    }

    @Override
    public void close() {
      closeAll(resources);
    }
  }

  private static void closeAll(List<AutoCloseable> resources) {
    RuntimeException first = null;
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("cannot close " + r, e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * Opens {@code spec} over {@code index}: the first stage returns {@code k} candidates, every
   * rerank stage reads its own k (default {@code k}), and {@code topN} hits come out. Cross-encoder
   * models are resolved by {@code models} (a folder, or a hub id); a test fixture is used but
   * {@code warn} hears loudly that its scores mean nothing.
   */
  public static Opened open(
      CascadeSpec spec,
      WinnowIndex index,
      int k,
      int topN,
      ModelResolver models,
      Consumer<String> warn) {
    Objects.requireNonNull(index, "index");
    return open(spec, FirstStageSource.of(index), k, topN, models, warn);
  }

  /**
   * {@link #open(CascadeSpec, WinnowIndex, int, int, ModelResolver, Consumer)} over any {@link
   * FirstStageSource} (an OpenSearch cluster, say), which the caller keeps owning.
   */
  public static Opened open(
      CascadeSpec spec,
      FirstStageSource index,
      int k,
      int topN,
      ModelResolver models,
      Consumer<String> warn) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(index, "index");
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (topN < 1) {
      throw new IllegalArgumentException("top-n must be >= 1, got " + topN);
    }
    List<AutoCloseable> resources = new ArrayList<>();
    Map<String, Encoder> encoders = new LinkedHashMap<>();
    try {
      Retriever first = firstStage(spec, index, encoders, resources);
      List<Reranker> rerankers = new ArrayList<>();
      List<OptionalInt> rerankK = new ArrayList<>();
      for (CascadeSpec.RerankSpec r : spec.rerank()) {
        rerankK.add(r.k());
        Reranker stage =
            switch (r.kind()) {
              case BI_ENCODER -> {
                Encoder e = encoder(r.model(), encoders, resources);
                yield new BiEncoderReranker(e, index.documentVectors(e.name()), 32);
              }
              case CROSS_ENCODER -> crossEncoder(spec, r.model(), models, warn, resources);
              case LATE_INTERACTION -> lateInteraction(r.model(), models, warn, resources);
            };
        rerankers.add(
            spec.rerankFusion().<Reranker>map(f -> new FusingReranker(stage, f)).orElse(stage));
      }
      return new Opened(first, rerankers, rerankK, k, topN, resources);
    } catch (RuntimeException e) {
      try {
        closeAll(resources);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static Retriever firstStage(
      CascadeSpec spec,
      FirstStageSource index,
      Map<String, Encoder> encoders,
      List<AutoCloseable> res) {
    Retriever bm25 = index.bm25();
    if (spec.retriever().equals("bm25")) {
      return bm25;
    }
    String model = Encoders.modelName(spec.embedder());
    Optional<String> held = index.vectorModel();
    if (held.isEmpty() || !held.get().equals(model)) {
      throw new IllegalArgumentException(
          "retriever "
              + spec.retriever()
              + " with embedder "
              + spec.embedder()
              + " needs an index holding "
              + model
              + " vectors, but "
              + index
              + (held.isEmpty() ? " holds none" : " holds " + held.get())
              + "; index it with --embedder "
              + spec.embedder());
    }
    Retriever dense = index.dense(encoder(spec.embedder(), encoders, res), spec.exact());
    if (spec.retriever().equals("dense")) {
      return dense;
    }
    return new HybridRetriever(List.of(bm25, dense), spec.fusionFunction(), spec.depth());
  }

  private static Encoder encoder(
      String name, Map<String, Encoder> encoders, List<AutoCloseable> res) {
    String key = Encoders.canonical(name);
    Encoder e = encoders.get(key);
    if (e == null) {
      e = new QueryCachingEncoder(Encoders.open(key), 4096);
      encoders.put(key, e);
      res.add(e);
    }
    return e;
  }

  /**
   * A late-interaction stage over the checkpoint {@code model} names (a folder or hub id); its
   * documents are encoded at query time until the index stores token vectors.
   */
  private static LateInteractionReranker lateInteraction(
      String model, ModelResolver models, Consumer<String> warn, List<AutoCloseable> res) {
    ModelFolder folder = models.resolve(model, ModelFolder.DEFAULT_VARIANT);
    fixtureWarning(folder).ifPresent(warn);
    OnnxLateInteraction encoder =
        OnnxLateInteraction.open(
            folder.root(),
            OnnxLateInteraction.Options.of(String.valueOf(folder.root().getFileName())));
    res.add(encoder);
    return new LateInteractionReranker(encoder);
  }

  private static CrossEncoderReranker crossEncoder(
      CascadeSpec spec,
      String model,
      ModelResolver models,
      Consumer<String> warn,
      List<AutoCloseable> res) {
    CascadeSpec.CrossEncoderOptions o = spec.crossEncoder();
    ModelFolder folder = models.resolve(model, o.variant());
    fixtureWarning(folder).ifPresent(warn);
    OnnxCrossEncoder ce = OnnxCrossEncoder.open(folder);
    res.add(ce);
    ScoringOptions scoring = ScoringOptions.DEFAULTS;
    if (o.maxLength().isPresent()) {
      scoring = scoring.withMaxLength(o.maxLength().getAsInt());
    }
    CrossEncoderReranker.Builder b =
        CrossEncoderReranker.builder(ce)
            .passages(new OnnxPassages(ce))
            .strategy(o.strategy())
            .options(scoring)
            .variant(o.variant());
    o.stride().ifPresent(b::stride);
    o.passageTokens().ifPresent(b::passageTokens);
    if (o.cacheSize() > 0) {
      b.cache(new PairScoreCache(o.cacheSize()));
    }
    return b.build();
  }

  /**
   * The one rule for test fixtures, in every command and the server: a fixture (its config.json
   * carries a {@code _fixture} note) is used, never silently: this warning is shown first. Empty
   * for a real model.
   */
  public static Optional<String> fixtureWarning(ModelFolder folder) {
    return fixtureNote(folder.config())
        .map(
            note ->
                "WARNING: "
                    + folder.root()
                    + " is a TEST FIXTURE, not a trained cross-encoder: its scores carry NO"
                    + " relevance meaning ("
                    + note
                    + ")");
  }

  /** The {@code _fixture} note of a model's config.json, present only for test fixtures. */
  public static Optional<String> fixtureNote(Path configJson) {
    try {
      JsonNode c = JSON.readTree(configJson.toFile());
      JsonNode n = c.has("_fixture") ? c.get("_fixture") : c.get("_fixture_note");
      return n == null ? Optional.empty() : Optional.of(n.asText());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + configJson + ": " + e.getMessage(), e);
    }
  }
}
