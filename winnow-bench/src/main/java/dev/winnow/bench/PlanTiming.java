package dev.winnow.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Batch plans timed in one process: several {@link TunedOrtScorer} specs (e.g. the greedy plan and
 * the optimal one at a few overheads) score the same SciFact BM25 top-k lists in turn, rotating who
 * goes first, and each spec's per-query wall and process-CPU time is divided by the first spec's.
 * Unlike {@link Compare}, no other worker process runs between two calls, so this is closer to one
 * engine serving queries; answers are checked against the first spec (1e-4 fp32, 0.03 int8).
 *
 * <pre>
 * java -cp ... dev.winnow.bench.PlanTiming [--variant fp32] [--topk 20] [--queries 16]
 *     [--specs 'tuned:budget=2048+spin=0;tuned:budget=2048+spin=0+lambda=0']
 * </pre>
 */
public final class PlanTiming {

  private static final int MAX_LENGTH = 512;

  private PlanTiming() {}

  public static void main(String[] args) throws Exception {
    Path model = Path.of("../shared/models/minilm-l6-ce-fixture");
    Path scifact = Path.of("../shared/data/scifact");
    String variant = "fp32";
    int k = 20;
    int queries = 16;
    int threads = 2;
    String specs = "tuned:budget=2048+spin=0;tuned:budget=2048+spin=0+lambda=0";
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--model" -> model = Path.of(v);
        case "--scifact" -> scifact = Path.of(v);
        case "--variant" -> variant = v;
        case "--topk" -> k = Integer.parseInt(v);
        case "--queries" -> queries = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--specs" -> specs = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    SciFact data = SciFact.load(scifact);
    List<Bm25Candidates.Candidates> all = Bm25Candidates.compute(data, k).candidates();
    List<String> queryTexts = new ArrayList<>();
    List<List<String>> docLists = new ArrayList<>();
    try (TokenCounter tokens = new TokenCounter(model.resolve("tokenizer.json"), MAX_LENGTH)) {
      // Query -1 (the last test query) warms every spec up; then an evenly spread sample.
      for (int q = -1; q < queries; q++) {
        Bm25Candidates.Candidates c =
            q < 0 ? all.get(all.size() - 1) : all.get((int) ((long) q * all.size() / queries));
        List<String> docs = new ArrayList<>();
        for (String id : c.docIds()) {
          docs.add(Compare.fitted(tokens, c.query(), data.corpus().get(id).body()));
        }
        queryTexts.add(c.query());
        docLists.add(docs);
      }
    }
    BenchModel m = new BenchModel(model, variant, MAX_LENGTH, threads);
    double tolerance = Compare.tolerance(m);
    List<String> names = List.of(specs.split(";"));
    List<PairScorerAdapter> scorers = new ArrayList<>();
    for (String s : names) {
      scorers.add(Adapters.create(s, m));
    }
    int n = names.size();
    long[][] wall = new long[n][queries];
    long[][] cpu = new long[n][queries];
    long real = 0;
    long[] padded = new long[n];
    System.out.printf(Locale.ROOT, "load at start: %s", loadAverage());
    for (int q = -1; q < queries; q++) {
      float[][] logits = new float[n][];
      for (int r = 0; r < n; r++) {
        int s = Math.floorMod(r + q, n); // rotate who goes first
        long c0 = Worker.cpuNanos();
        long t0 = System.nanoTime();
        ScoredBatch b = scorers.get(s).score(queryTexts.get(q + 1), docLists.get(q + 1));
        long t = System.nanoTime() - t0;
        long c = Worker.cpuNanos() - c0;
        logits[s] = b.logits();
        if (q >= 0) {
          wall[s][q] = t;
          cpu[s][q] = c;
          padded[s] += b.paddedTokens();
          if (s == 0) {
            real += b.realTokens();
          }
        }
      }
      for (int s = 1; s < n; s++) {
        for (int i = 0; i < logits[0].length; i++) {
          if (Math.abs(logits[s][i] - logits[0][i]) > tolerance) {
            throw new IllegalStateException(
                names.get(s)
                    + " differs from "
                    + names.get(0)
                    + " on pair "
                    + i
                    + ": "
                    + logits[s][i]
                    + " vs "
                    + logits[0][i]);
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "load at end: %s", loadAverage());
    for (int s = 0; s < n; s++) {
      System.out.printf(
          Locale.ROOT,
          "%-45s wall median %.3f geo %.3f | cpu median %.3f geo %.3f | padding %.1f%%%n",
          names.get(s),
          median(ratios(wall[s], wall[0])),
          geo(ratios(wall[s], wall[0])),
          median(ratios(cpu[s], cpu[0])),
          geo(ratios(cpu[s], cpu[0])),
          100.0 * padded[s] / real - 100);
    }
    scorers.forEach(PairScorerAdapter::close);
  }

  private static String loadAverage() throws java.io.IOException {
    return java.nio.file.Files.readString(Path.of("/proc/loadavg"));
  }

  private static double[] ratios(long[] a, long[] b) {
    double[] r = new double[a.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = (double) a[i] / b[i];
    }
    return r;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int h = s.length / 2;
    return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
  }

  private static double geo(double[] v) {
    double sum = 0;
    for (double x : v) {
      sum += Math.log(x);
    }
    return Math.exp(sum / v.length);
  }
}
