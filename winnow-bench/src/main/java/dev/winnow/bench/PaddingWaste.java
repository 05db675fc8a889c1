package dev.winnow.bench;

import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.onnx.TokenBatches;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Padding waste of the batch plans on the realistic workload, exactly and for every SciFact test
 * query: the greedy plan ({@link TokenBatches#plan}) against the optimal one ({@link
 * TokenBatches#optimal}) at several per-batch overheads, for each query's BM25 top-k candidates
 * fitted to 512 tokens as {@link Compare} fits them. No model runs: the plan depends only on the
 * pair lengths, so the figures are deterministic. Also times the planners on 1,000 pair lengths
 * drawn from the same workload.
 *
 * <pre>
 * java -cp ... dev.winnow.bench.PaddingWaste [--model DIR] [--scifact DIR] [--budget 2048]
 *     [--overheads 0,16,32,64,128,256] [--topk 20,100]
 * </pre>
 */
public final class PaddingWaste {

  private static final int MAX_LENGTH = 512;

  private PaddingWaste() {}

  public static void main(String[] args) {
    Path model = Path.of("../shared/models/minilm-l6-ce-fixture");
    Path scifact = Path.of("../shared/data/scifact");
    int budget = OnnxCrossEncoder.Options.DEFAULT_TOKEN_BUDGET;
    int[] overheads = {0, 16, 32, 64, 128, 256};
    int[] topKs = {20, 100};
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + args[i] + " needs a value");
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--model" -> model = Path.of(v);
        case "--scifact" -> scifact = Path.of(v);
        case "--budget" -> budget = Integer.parseInt(v);
        case "--overheads" -> overheads = ints(v);
        case "--topk" -> topKs = ints(v);
        default ->
            throw new IllegalArgumentException(
                "option must be --model, --scifact, --budget, --overheads or --topk, got "
                    + args[i]);
      }
    }
    int deepest = Arrays.stream(topKs).max().orElseThrow();
    SciFact data = SciFact.load(scifact);
    Bm25Candidates bm25 = Bm25Candidates.compute(data, deepest);
    List<int[]> lists = new ArrayList<>();
    try (TokenCounter tokens = new TokenCounter(model.resolve("tokenizer.json"), MAX_LENGTH)) {
      for (Bm25Candidates.Candidates c : bm25.candidates()) {
        List<String> docs = new ArrayList<>();
        for (String id : c.docIds()) {
          docs.add(Compare.fitted(tokens, c.query(), data.corpus().get(id).body()));
        }
        lists.add(tokens.pairLengths(c.query(), docs));
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d SciFact test queries, BM25 candidates, %s, pairs fitted to %d tokens, budget %d%n%n",
        lists.size(),
        model.getFileName(),
        MAX_LENGTH,
        budget);
    System.out.println(
        "| top-k | plan | padding waste (all queries) | worst query | batches per query |");
    System.out.println("| ---: | --- | ---: | ---: | ---: |");
    for (int k : topKs) {
      row(k, "greedy", lists, budget, -1);
      for (int overhead : overheads) {
        row(k, "optimal, overhead " + overhead, lists, budget, overhead);
      }
    }
    planTime(lists, budget, overheads);
  }

  private static void row(int k, String label, List<int[]> lists, int budget, int overhead) {
    long real = 0;
    long padded = 0;
    long batches = 0;
    double worst = 0;
    for (int[] all : lists) {
      int[] lengths = Arrays.copyOf(all, Math.min(k, all.length));
      List<int[]> plan =
          overhead < 0
              ? TokenBatches.plan(lengths, budget)
              : TokenBatches.optimal(lengths, budget, overhead);
      long r = Arrays.stream(lengths).asLongStream().sum();
      long p = TokenBatches.paddedTokens(plan, lengths);
      real += r;
      padded += p;
      batches += plan.size();
      worst = Math.max(worst, (double) p / r - 1);
    }
    System.out.printf(
        Locale.ROOT,
        "| %d | %s | %.1f%% | %.1f%% | %.2f |%n",
        k,
        label,
        100.0 * padded / real - 100,
        100 * worst,
        (double) batches / lists.size());
  }

  /** Median time to plan 1,000 pairs with lengths drawn from the workload (after warm-up). */
  private static void planTime(List<int[]> lists, int budget, int[] overheads) {
    int[] pool = lists.stream().flatMapToInt(Arrays::stream).toArray();
    Random random = new Random(1);
    int[] lengths = new int[1000];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = pool[random.nextInt(pool.length)];
    }
    // Warm every planner up before timing any, so none is timed while the JIT still compiles.
    medianMs(lengths, budget, -1);
    for (int overhead : overheads) {
      medianMs(lengths, budget, overhead);
    }
    System.out.printf(Locale.ROOT, "%nplan time for 1,000 pairs (median of 201 after warm-up):%n");
    System.out.printf(Locale.ROOT, "greedy: %.3f ms%n", medianMs(lengths, budget, -1));
    for (int overhead : overheads) {
      System.out.printf(
          Locale.ROOT,
          "optimal, overhead %d: %.3f ms%n",
          overhead,
          medianMs(lengths, budget, overhead));
    }
    int[] shortest = new int[1000];
    Arrays.fill(shortest, 5);
    System.out.printf(
        Locale.ROOT,
        "optimal, 1,000 pairs of 5 tokens (%d rows per batch): %.3f ms%n",
        budget / 5,
        medianMs(shortest, budget, overheads[overheads.length - 1]));
  }

  private static double medianMs(int[] lengths, int budget, int overhead) {
    long sink = 0;
    for (int i = 0; i < 2000; i++) {
      sink += plan(lengths, budget, overhead).size();
    }
    long[] nanos = new long[201];
    for (int i = 0; i < nanos.length; i++) {
      long t0 = System.nanoTime();
      sink += plan(lengths, budget, overhead).size();
      nanos[i] = System.nanoTime() - t0;
    }
    if (sink == 0) {
      throw new IllegalStateException("no batches planned");
    }
    Arrays.sort(nanos);
    return nanos[nanos.length / 2] / 1e6;
  }

  private static List<int[]> plan(int[] lengths, int budget, int overhead) {
    return overhead < 0
        ? TokenBatches.plan(lengths, budget)
        : TokenBatches.optimal(lengths, budget, overhead);
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }
}
