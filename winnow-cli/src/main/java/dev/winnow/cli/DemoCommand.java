package dev.winnow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.Document;
import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.index.Bm25Retriever;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.BundledEncoders;
import dev.winnow.onnx.BundledModels;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.onnx.hub.HubException;
import dev.winnow.onnx.hub.ModelResolver;
import dev.winnow.pipeline.BiEncoderReranker;
import dev.winnow.pipeline.CrossEncoderReranker;
import dev.winnow.pipeline.Explanation;
import dev.winnow.pipeline.FusingReranker;
import dev.winnow.pipeline.IndexDocumentVectors;
import dev.winnow.pipeline.OnnxPassages;
import dev.winnow.pipeline.RerankFusion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code winnow demo}: the main job on the embedded default, offline, in seconds. It indexes the
 * sample corpus shipped in the jar (41 short documents on six topics) in memory with bge-small
 * vectors, runs the sample queries through BM25, rescoring by bge-small (real weights from the
 * bundled jar) and a cross-encoder (the bundled winnow/minilm-l6-scifact-ce, trained by Winnow on
 * SciFact train, or {@code --model}) reranking BM25's top k; it shows the ranking before and after
 * each stage and explains the top hit.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Index a small built-in corpus, search it with BM25, rerank with bge-small (and a"
          + " cross-encoder given with --model) and show what changed, with provenance.",
      "Runs offline with the bundled bi-encoder; --model may be a local folder or a hub id."
    })
final class DemoCommand implements Callable<Integer> {

  static final String RESOURCES = "/dev/winnow/cli/demo/";

  @Option(
      names = {"--model", "--model-id"},
      description =
          "Cross-encoder reranking BM25's top k: a model folder, a hub id (ORG/NAME) or a bundled"
              + " id. Default: the bundled winnow/minilm-l6-scifact-ce when the jar has it.")
  String model;

  @Option(
      names = "--rerank-fusion",
      description =
          "How the cross-encoder's score joins BM25's: linear:W (BM25's weight), rrf or none."
              + " Default: the weight the bundled model was tuned with on its validation queries.")
  String rerankFusion;

  @Option(
      names = "--k",
      defaultValue = "10",
      description = "BM25 candidates reranked. Default: ${DEFAULT-VALUE}.")
  int k;

  @Option(
      names = "--top-n",
      defaultValue = "3",
      description = "Hits shown per stage. Default: ${DEFAULT-VALUE}.")
  int topN;

  @Option(names = "--query", description = "Run this query instead of the built-in ones.")
  List<String> queries = new ArrayList<>();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (topN < 1) {
      throw new IllegalArgumentException("top-n must be >= 1, got " + topN);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Document> corpus = corpus();
    List<Query> qs = new ArrayList<>();
    if (queries.isEmpty()) {
      qs.addAll(sampleQueries());
    } else {
      for (int i = 0; i < queries.size(); i++) {
        qs.add(new Query("q" + (i + 1), queries.get(i)));
      }
    }
    Map<String, String> titles = new HashMap<>();
    corpus.forEach(d -> titles.put(d.id(), d.title()));
    long t0 = System.nanoTime();
    try (Encoder bge = BundledEncoders.bgeSmall();
        WinnowIndex index = WinnowIndex.inMemory()) {
      try (Progress progress = Progress.start("indexing + embedding (bge-small)", corpus.size())) {
        index.ingest(corpus.iterator(), Optional.of(bge), 16, progress::update);
      }
      out.printf(
          Locale.ROOT,
          "Indexed %d sample documents with BM25 and bge-small vectors in %.1f s.%n",
          corpus.size(),
          (System.nanoTime() - t0) / 1e9);
      Bm25Retriever bm25 = new Bm25Retriever(index);
      Reranker biEncoder =
          new BiEncoderReranker(bge, IndexDocumentVectors.of(index, bge.name()), 32);
      Optional<OnnxCrossEncoder> ce = crossEncoder(out, err);
      try {
        Optional<RerankFusion> fusion = fusion();
        Optional<Reranker> ceStage =
            ce.map(
                c -> {
                  Reranker r =
                      CrossEncoderReranker.builder(c).passages(new OnnxPassages(c)).build();
                  return fusion.<Reranker>map(f -> new FusingReranker(r, f)).orElse(r);
                });
        fusion.ifPresent(
            f ->
                out.println(
                    "Its score is fused with BM25's ("
                        + f.label()
                        + ", chosen on the model's validation queries): alone, a reranker this"
                        + " small also pulls up documents BM25 rightly ranked low."));
        for (Query q : qs) {
          out.println();
          out.println("Query " + q.id() + ": " + q.text());
          List<Hit> first = bm25.retrieve(q, k);
          show(out, "BM25 (first stage)", first, first, titles);
          List<Hit> rescored = biEncoder.rerank(q, first, k);
          show(out, "bge-small rescoring of BM25 top " + k, rescored, first, titles);
          List<Hit> last = rescored;
          if (ceStage.isPresent()) {
            last = ceStage.get().rerank(q, first, k);
            show(out, "cross-encoder reranking of BM25 top " + k, last, first, titles);
          }
          if (!last.isEmpty()) {
            out.println("  why #1 is first:");
            for (String line : Explanation.render(last.get(0), Optional.empty()).split("\n")) {
              out.println("    " + line);
            }
          }
        }
      } finally {
        ce.ifPresent(OnnxCrossEncoder::close);
      }
    }
    out.println();
    out.println(
        "Next: ./winnow index --corpus FILE --index DIR --embedder bge-small, then ./winnow search"
            + " --index DIR --query TEXT --retriever hybrid --rerank bi-encoder:bge-small --explain");
    out.flush();
    return 0;
  }

  private void show(
      PrintWriter out, String title, List<Hit> hits, List<Hit> before, Map<String, String> titles) {
    out.println("  " + title + ":");
    Map<String, Integer> was = new HashMap<>();
    for (int i = 0; i < before.size(); i++) {
      was.put(before.get(i).id(), i + 1);
    }
    for (int i = 0; i < Math.min(topN, hits.size()); i++) {
      Hit h = hits.get(i);
      int prior = was.getOrDefault(h.id(), 0);
      String move = hits == before ? "" : prior == i + 1 ? "  (=)" : "  (was #" + prior + ")";
      out.printf(
          Locale.ROOT,
          "    %d. %-10s %8.4f  %s%s%n",
          i + 1,
          h.id(),
          h.score(),
          titles.getOrDefault(h.id(), ""),
          move);
    }
  }

  /** The fusion asked for, else the bundled model's tuned one, else none. */
  private Optional<RerankFusion> fusion() {
    if (rerankFusion != null) {
      return rerankFusion.equalsIgnoreCase("none")
          ? Optional.empty()
          : Optional.of(RerankFusion.parse(rerankFusion));
    }
    return usingBundled() ? Optional.of(RerankFusion.parse(BUNDLED_FUSION)) : Optional.empty();
  }

  /**
   * The rerank fusion winnow/minilm-l6-scifact-ce was tuned with: BM25's weight chosen by {@code
   * eval --sweep-fusion} on the model's own validation queries (train split), see docs/results.md.
   */
  static final String BUNDLED_FUSION = "linear:0.6";

  private boolean usingBundled() {
    return (model == null && !BundledModels.available().isEmpty())
        || (model != null && model.equalsIgnoreCase(BundledModels.SCIFACT_CE.id()));
  }

  private Optional<OnnxCrossEncoder> crossEncoder(PrintWriter out, PrintWriter err) {
    if (model == null) {
      if (BundledModels.available().contains(BundledModels.SCIFACT_CE)) {
        model = BundledModels.SCIFACT_CE.id();
      } else {
        out.println(
            "No cross-encoder given (--model FOLDER or ORG/NAME) and none bundled in this jar:"
                + " showing BM25 and bge-small rescoring.");
        return Optional.empty();
      }
    }
    if (BundledModels.isBundledId(model)) {
      out.println(
          "Cross-encoder: "
              + BundledModels.SCIFACT_CE.id()
              + ", bundled: "
              + BundledModels.SCIFACT_CE.description()
              + " (its card, figures and recipe: docs/results.md, docs/training.md).");
    }
    ModelFolder folder;
    try {
      folder = ModelResolver.fromEnvironment().resolve(model, ModelFolder.DEFAULT_VARIANT);
    } catch (HubException e) {
      err.println(
          "winnow: cannot get "
              + model
              + " from the hub ("
              + e.getMessage()
              + "); carrying on without it.");
      return Optional.empty();
    }
    return Optional.of(OnnxCrossEncoder.open(Fixtures.announce(folder, err)));
  }

  static List<Document> corpus() {
    List<Document> docs = new ArrayList<>();
    for (JsonNode n : lines("corpus.jsonl")) {
      docs.add(
          new Document(
              n.get("_id").asText(), n.get("title").asText(), n.get("text").asText(), Map.of()));
    }
    return docs;
  }

  static List<Query> sampleQueries() {
    List<Query> qs = new ArrayList<>();
    for (JsonNode n : lines("queries.jsonl")) {
      qs.add(new Query(n.get("_id").asText(), n.get("text").asText()));
    }
    return qs;
  }

  private static List<JsonNode> lines(String name) {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    try (InputStream in = DemoCommand.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "demo resource " + RESOURCES + name + " is missing from the jar");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          out.add(json.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read demo resource " + name, e);
    }
    return out;
  }
}
