package dev.winnow.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prints cross-encoder throughput (pairs/s) on minilm-l6-ce-fixture: every pair exactly 128 tokens
 * (SciFact abstracts cut by longest_first), batches of 32 (token budget 32 x 128), fp32 and qint8.
 * Not a test and asserts no time: on shared machines absolute numbers are noise, compare variants
 * of one run. Both the text path ({@code scorePairs}, tokenizing included) and the pre-tokenized
 * path ({@code scoreTokenized}) are timed, so the tokenizer's share shows.
 *
 * <p>Run (after {@code ./mvnw -pl winnow-onnx -am test-compile}): {@code java -Dai.djl.offline=true
 * -DRUST_FLAVOR=cpu -Dwinnow.shared=../shared -cp <test classpath>
 * dev.winnow.onnx.CrossEncoderThroughput [threads] [pairs] [rounds]}.
 */
public final class CrossEncoderThroughput {

  private static final int LENGTH = 128;
  private static final int BATCH = 32;

  private CrossEncoderThroughput() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 320;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path shared = Paths.get(System.getProperty("winnow.shared", "../shared"));
    Path fixture = shared.resolve("models/minilm-l6-ce-fixture");
    List<String> docs = abstracts(shared.resolve("data/scifact/corpus.jsonl"), pairs);
    String query = "cerebral white matter development in newborns measured by diffusion MRI";
    List<TextPair> textPairs = new ArrayList<>();
    for (String d : docs) {
      textPairs.add(new TextPair(query, d));
    }
    ScoringOptions scoring = ScoringOptions.DEFAULTS.withMaxLength(LENGTH);
    OnnxCrossEncoder.Options options =
        OnnxCrossEncoder.Options.defaults().withThreads(threads).withTokenBudget(BATCH * LENGTH);
    System.out.printf(
        "minilm-l6-ce-fixture, %d pairs of %d tokens, batch %d, %d intra-op threads, %d"
            + " processors%n",
        pairs, LENGTH, BATCH, threads, Runtime.getRuntime().availableProcessors());
    for (String variant : List.of(ModelFolder.DEFAULT_VARIANT, "qint8")) {
      try (OnnxCrossEncoder ce =
          OnnxCrossEncoder.open(ModelFolder.open(fixture, variant), options)) {
        List<TokenizedPair> tokenized = new ArrayList<>();
        int[] q = ce.tokenizer().tokenize(query);
        for (String d : docs) {
          tokenized.add(new TokenizedPair(q, ce.tokenizer().tokenize(d, 2 * LENGTH)));
        }
        // Every pair must really be 128 tokens, or the figure means something else.
        ce.scorePairs(textPairs, scoring).forEach(s -> check(s.tokens()));
        double[] text = new double[rounds];
        double[] ids = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          long t0 = System.nanoTime();
          ce.scorePairs(textPairs, scoring);
          long t1 = System.nanoTime();
          ce.scoreTokenized(tokenized, scoring);
          long t2 = System.nanoTime();
          text[r] = pairs / ((t1 - t0) / 1e9);
          ids[r] = pairs / ((t2 - t1) / 1e9);
        }
        System.out.printf(
            "%-8s scorePairs %7.1f pairs/s (median of %d; all %s) | scoreTokenized %7.1f pairs/s"
                + " (all %s)%n",
            variant, median(text), rounds, fmt(text), median(ids), fmt(ids));
      }
    }
  }

  private static void check(int tokens) {
    if (tokens != LENGTH) {
      throw new IllegalStateException("a pair has " + tokens + " tokens, not " + LENGTH);
    }
  }

  private static List<String> abstracts(Path corpus, int n) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<String> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(corpus)) {
      for (String line = r.readLine(); line != null && out.size() < n; line = r.readLine()) {
        JsonNode d = json.readTree(line);
        String text = d.get("title").asText() + " " + d.get("text").asText();
        if (text.length() > 1500) { // comfortably over 128 tokens
          out.add(text);
        }
      }
    }
    if (out.size() < n) {
      throw new IllegalStateException("only " + out.size() + " long abstracts in " + corpus);
    }
    return out;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static String fmt(double[] v) {
    StringBuilder b = new StringBuilder();
    for (double x : v) {
      b.append(b.length() == 0 ? "" : ", ").append(String.format("%.1f", x));
    }
    return "[" + b + "]";
  }
}
