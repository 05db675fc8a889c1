package dev.winnow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.api.Activation;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.onnx.TokenBatches;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code winnow bench}: Winnow's cross-encoder in steady state on this machine, either a batch of
 * pairs of one exact length or one query against documents from a file, with the fraction of the
 * machine's measured fp32 FMA peak it reaches.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure Winnow's cross-encoder after warm-up: pairs/s, ms per call, GFLOP/s and the"
          + " fraction of this machine's fp32 FMA peak (the roofline).",
      "Either --length N --batch B (B synthetic pairs of exactly N tokens) or --query TEXT"
          + " --docs FILE (one document per line). GFLOP counts only real tokens (padding is"
          + " waste), from config.json: 2 x layers x (4nh^2 + 2nhf + 2n^2h) per pair of n tokens.",
      "Also reports the engine's batches and padding waste (padded tokens / real tokens - 1)."
    })
final class BenchCommand implements Callable<Integer> {

  @Option(
      names = {"--model", "--model-id"},
      required = true,
      description = "Model folder (Hugging Face layout) or hub id ORG/NAME[@REV].")
  String model;

  @Option(
      names = "--variant",
      defaultValue = ModelFolder.DEFAULT_VARIANT,
      description =
          "ONNX variant: default (onnx/model.onnx), qint8, ... Default: ${DEFAULT-VALUE}.")
  String variant;

  @Option(names = "--length", description = "Tokens per synthetic pair, specials included.")
  Integer length;

  @Option(names = "--batch", description = "Synthetic pairs per call.")
  Integer batch;

  @Option(names = "--query", description = "The query scored against --docs.")
  String query;

  @Option(
      names = "--docs",
      description = "UTF-8 file, one document per line (blank lines skipped).")
  Path docs;

  @Option(
      names = "--max-length",
      description = "Truncate pairs to N tokens (default: the model's).")
  Integer maxLength;

  @Option(names = "--repeat", defaultValue = "5", description = "Timed calls. Default: 5.")
  int repeat;

  @Option(names = "--warmup", defaultValue = "2", description = "Untimed calls first. Default: 2.")
  int warmup;

  @Option(names = "--threads", description = "ONNX Runtime intra-op threads (default: all cores).")
  Integer threads;

  @Option(
      names = "--token-budget",
      description = "Most padded tokens per ONNX batch (default: the engine's).")
  Integer tokenBudget;

  @Option(
      names = "--batch-overhead",
      description =
          "Per-batch cost in tokens that the batch plan weighs against padding (default: the"
              + " engine's).")
  Integer batchOverhead;

  @Option(
      names = "--peak-gflops",
      description = "fp32 peak to divide by (default: measured now with a Vector API FMA probe).")
  Double peakGflops;

  @Option(
      names = "--fuse",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run ONNX Runtime's fused attention and skip-layer-norm kernels (default; --no-fuse runs"
              + " the graph as exported).")
  boolean fuse;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Spec CommandSpec spec;

  /** The words synthetic documents are made of (each one WordPiece token in BERT vocabularies). */
  private static final String[] WORDS =
      ("the study found that cells exposed to the drug showed lower levels of protein in the blood"
              + " of patients with heart disease and a higher risk of death after two years of"
              + " treatment while the control group had no change in their health")
          .split(" ");

  @Override
  public Integer call() {
    boolean fixed = length != null || batch != null;
    boolean docsMode = query != null || docs != null;
    if (fixed == docsMode) {
      throw new IllegalArgumentException(
          "give either --length and --batch (synthetic pairs) or --query and --docs, not "
              + (fixed ? "both" : "neither"));
    }
    if (fixed && (length == null || batch == null)) {
      throw new IllegalArgumentException("--length and --batch go together; give both");
    }
    if (docsMode && (query == null || docs == null)) {
      throw new IllegalArgumentException("--query and --docs go together; give both");
    }
    if (fixed && maxLength != null) {
      throw new IllegalArgumentException("--max-length applies to --docs; --length sets it");
    }
    positive("--repeat", repeat);
    if (warmup < 0) {
      throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
    }
    int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    positive("--threads", nThreads);
    if (peakGflops != null && !(peakGflops > 0)) {
      throw new IllegalArgumentException("--peak-gflops must be > 0, got " + peakGflops);
    }
    ModelFolder folder =
        Fixtures.announce(RerankCommand.resolveModel(model, variant), spec.commandLine().getErr());
    OptionalDouble[] shape = transformerShape(folder.config());

    OnnxCrossEncoder.Options options =
        OnnxCrossEncoder.Options.defaults().withThreads(nThreads).withFusedKernels(fuse);
    if (tokenBudget != null) {
      options = options.withTokenBudget(tokenBudget);
    }
    if (batchOverhead != null) {
      if (batchOverhead < 0) {
        throw new IllegalArgumentException("--batch-overhead must be >= 0, got " + batchOverhead);
      }
      options = options.withBatchOverhead(batchOverhead);
    }
    List<TextPair> pairs;
    ScoringOptions scoring = ScoringOptions.DEFAULTS.withActivation(Activation.RAW);
    if (fixed) {
      positive("--length", length);
      positive("--batch", batch);
      pairs = syntheticPairs(length, batch);
      scoring = scoring.withMaxLength(length);
    } else {
      pairs = pairsFromFile(query, docs);
      if (maxLength != null) {
        scoring = scoring.withMaxLength(maxLength);
      }
    }

    long[] nanos = new long[repeat];
    List<PairScore> scores;
    int[] lengths;
    List<int[]> batches;
    String graph;
    try (OnnxCrossEncoder encoder = OnnxCrossEncoder.open(folder, options)) {
      graph = encoder.graph();
      scores = encoder.scorePairs(pairs, scoring);
      lengths = scores.stream().mapToInt(PairScore::tokens).toArray();
      batches = encoder.batches(lengths);
      if (fixed) {
        for (PairScore s : scores) {
          if (s.tokens() != length) {
            throw new IllegalArgumentException(
                "--length "
                    + length
                    + " cannot be reached with this model: a pair came out at "
                    + s.tokens()
                    + " tokens (the model's limit is "
                    + encoder.maxLength()
                    + ")");
          }
        }
      }
      for (int i = 1; i < warmup; i++) {
        encoder.scorePairs(pairs, scoring);
      }
      for (int i = 0; i < repeat; i++) {
        long t0 = System.nanoTime();
        encoder.scorePairs(pairs, scoring);
        nanos[i] = System.nanoTime() - t0;
      }
    }
    Arrays.sort(nanos);
    double seconds = nanos[(repeat - 1) / 2] / 1e9; // median (lower for an even count)
    double gflop = 0;
    boolean known = shape[0].isPresent();
    long tokens = 0;
    for (PairScore s : scores) {
      tokens += s.tokens();
      if (known) {
        gflop += gflop(s.tokens(), shape);
      }
    }
    double peak = peakGflops != null ? peakGflops : probePeakGflops(nThreads);
    double achieved = gflop / seconds;
    long padded = TokenBatches.paddedTokens(batches, lengths);
    print(
        pairs.size(),
        tokens,
        padded,
        batches.size(),
        seconds,
        known ? achieved : Double.NaN,
        peak,
        nThreads,
        graph);
    return 0;
  }

  private void print(
      int pairs,
      long tokens,
      long padded,
      int batches,
      double seconds,
      double gflops,
      double peak,
      int t,
      String graph) {
    PrintWriter out = spec.commandLine().getOut();
    double pps = pairs / seconds;
    double ms = seconds * 1000;
    double roofline = gflops / peak;
    if (json) {
      ObjectMapper m = new ObjectMapper();
      ObjectNode o = m.createObjectNode();
      o.put("pairs_per_second", round(pps));
      o.put("ms_per_query", round(ms));
      if (Double.isNaN(gflops)) {
        o.putNull("gflops");
        o.putNull("roofline_fraction");
      } else {
        o.put("gflops", round(gflops));
        o.put("roofline_fraction", Math.round(roofline * 10000) / 10000.0);
      }
      o.put("peak_gflops", round(peak));
      o.put("pairs", pairs);
      o.put("tokens", tokens);
      o.put("padded_tokens", padded);
      o.put("padding_waste", Math.round(10000.0 * padded / tokens - 10000) / 10000.0);
      o.put("batches", batches);
      o.put("threads", t);
      o.put("repeat", repeat);
      o.put("model", model.toString());
      o.put("variant", variant);
      o.put("graph", graph);
      try {
        out.println(m.writeValueAsString(o));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      out.printf(
          Locale.ROOT,
          "%d pairs (%d tokens) in %.1f ms (median of %d): %.1f pairs/s%n",
          pairs,
          tokens,
          ms,
          repeat,
          pps);
      out.printf(
          Locale.ROOT,
          "%d batches, %d padded tokens: padding waste %.1f%%%n",
          batches,
          padded,
          100.0 * padded / tokens - 100);
      if (!Double.isNaN(gflops)) {
        out.printf(
            Locale.ROOT,
            "%.1f GFLOP/s = %.0f%% of the fp32 peak %.1f GFLOP/s on %d threads%n",
            gflops,
            100 * roofline,
            peak,
            t);
      } else {
        out.printf(Locale.ROOT, "GFLOP/s unknown (config.json lacks layer sizes)%n");
      }
      out.printf(Locale.ROOT, "graph: %s%n", graph);
    }
    out.flush();
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** Pairs whose documents are longer than {@code length}, so truncation makes each exact. */
  static List<TextPair> syntheticPairs(int length, int batch) {
    List<TextPair> pairs = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      StringBuilder doc = new StringBuilder();
      for (int w = 0; w < length + 8; w++) {
        if (w > 0) {
          doc.append(' ');
        }
        doc.append(WORDS[(w + i) % WORDS.length]);
      }
      pairs.add(new TextPair("does the drug lower the risk of heart disease", doc.toString()));
    }
    return pairs;
  }

  private static List<TextPair> pairsFromFile(String query, Path file) {
    if (query.isBlank()) {
      throw new IllegalArgumentException("--query must not be blank");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("--docs " + file + " cannot be read: " + e, e);
    }
    List<TextPair> pairs = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank()) {
        pairs.add(new TextPair(query, line));
      }
    }
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("--docs " + file + " has no non-blank line");
    }
    return pairs;
  }

  /** {layers, hidden, intermediate} from config.json (BERT names), empty when any is missing. */
  static OptionalDouble[] transformerShape(Path config) {
    JsonNode c;
    try {
      c = new ObjectMapper().readTree(config.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + config + ": " + e.getMessage(), e);
    }
    OptionalDouble[] out = new OptionalDouble[3];
    String[] names = {"num_hidden_layers", "hidden_size", "intermediate_size"};
    for (int i = 0; i < 3; i++) {
      JsonNode n = c.get(names[i]);
      out[i] = n != null && n.isNumber() ? OptionalDouble.of(n.asDouble()) : OptionalDouble.empty();
    }
    for (OptionalDouble d : out) {
      if (d.isEmpty()) {
        return new OptionalDouble[] {
          OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty()
        };
      }
    }
    return out;
  }

  /**
   * Forward GFLOP for one sequence of {@code n} tokens: per layer the four attention projections
   * (4nh^2 multiply-adds), the FFN (2nhf) and the two attention matmuls (2n^2h), two FLOPs each.
   */
  static double gflop(int n, OptionalDouble[] shape) {
    double layers = shape[0].getAsDouble();
    double h = shape[1].getAsDouble();
    double f = shape[2].getAsDouble();
    return 2 * layers * (4.0 * n * h * h + 2.0 * n * h * f + 2.0 * n * n * h) / 1e9;
  }

  /**
   * Runs {@link dev.winnow.onnx.FmaProbe} in a child JVM with the incubator module enabled (this
   * JVM may lack it: {@code java -jar} without the flag; the class is named by string so that this
   * one never loads it) and returns its GFLOP/s.
   */
  static double probePeakGflops(int threads) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        List.of(
            java,
            "--add-modules",
            "jdk.incubator.vector",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.winnow.onnx.FmaProbe",
            Integer.toString(threads),
            "0.3");
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException("FMA probe exited " + p.exitValue() + ": " + out);
      }
      Matcher m = Pattern.compile("\"gflops\":([0-9.]+)").matcher(out);
      if (!m.find()) {
        throw new IllegalStateException("FMA probe printed no figure: " + out);
      }
      return Double.parseDouble(m.group(1));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run the FMA probe: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing the FMA peak", e);
    }
  }

  private static void positive(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + v);
    }
  }
}
