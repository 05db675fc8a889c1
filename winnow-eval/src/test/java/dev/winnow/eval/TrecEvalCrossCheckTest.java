package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.Hit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares every metric, per query and averaged, with the real trec_eval 9.0.4 (the Linux binary
 * packaged in jtreceval) on random graded qrels and runs full of tied scores written by {@link
 * TrecRun#write}. It checks the metric definitions, the {@code -c} averaging, and that our run
 * files make trec_eval see exactly the order we evaluated.
 */
class TrecEvalCrossCheckTest {

  /** Documents per query to draw from: small, so that the top ten often holds relevant ones. */
  private static final int POOL = 60;

  @TempDir Path tmp;

  private Path trecEval() throws IOException, InterruptedException {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    Assumptions.assumeTrue(
        os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")),
        "trec_eval cross-check needs linux-amd64 for the packaged binary; this is "
            + os
            + "/"
            + arch
            + ": skipped");
    Path bin = tmp.resolve("trec_eval");
    try (InputStream in = getClass().getResourceAsStream("/trec_eval-linux-amd64")) {
      assertThat(in).as("trec_eval-linux-amd64 from the jtreceval test dependency").isNotNull();
      Files.copy(in, bin, StandardCopyOption.REPLACE_EXISTING);
    }
    assertThat(bin.toFile().setExecutable(true)).isTrue();
    return bin;
  }

  private Map<String, Map<String, Double>> runTrecEval(Path bin, Path qrels, Path run, String... m)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(bin.toString(), "-q", "-c"));
    for (String measure : m) {
      cmd.add("-m");
      cmd.add(measure);
    }
    cmd.add(qrels.toString());
    cmd.add(run.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    Map<String, Map<String, Double>> values = new HashMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3) {
        values.computeIfAbsent(f[0], k -> new HashMap<>()).put(f[1], Double.parseDouble(f[2]));
      }
    }
    return values;
  }

  @Test
  void metrics_agreeWithTrecEvalPerQueryAndOnAverage() throws Exception {
    Path bin = trecEval();
    Random random = new Random(20261127);
    Map<String, Map<String, Integer>> judgments = new LinkedHashMap<>();
    Map<String, List<Hit>> run = new LinkedHashMap<>();
    for (int q = 0; q < 40; q++) {
      String qid = "q" + q;
      Map<String, Integer> j = new LinkedHashMap<>();
      int judged = 1 + random.nextInt(25);
      for (int i = 0; i < judged; i++) {
        // grades 0..3; q7 has only non-relevant judgments
        j.put("d" + random.nextInt(POOL), q == 7 ? 0 : random.nextInt(4));
      }
      judgments.put(qid, j);
      if (q % 10 == 3) {
        continue; // in the qrels, not in the run: counts as 0 under -c
      }
      int n = 1 + random.nextInt(POOL);
      List<Hit> hits = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < POOL; i++) {
        ids.add("d" + i);
      }
      java.util.Collections.shuffle(ids, random);
      double score = 20;
      for (int i = 0; i < n; i++) {
        if (random.nextInt(3) > 0) {
          score -= random.nextInt(3) * 0.25; // many exact ties, in arbitrary id order
        }
        hits.add(Hit.firstStage(ids.get(i), "", i + 1, score, "random"));
      }
      run.put(qid, hits);
    }
    run.put("not-judged", List.of(Hit.firstStage("d1", "", 1, 1.0, "random")));

    Path qrelsFile = tmp.resolve("qrels.txt");
    StringBuilder sb = new StringBuilder();
    judgments.forEach((q, j) -> j.forEach((d, g) -> sb.append(q + " 0 " + d + " " + g + "\n")));
    Files.writeString(qrelsFile, sb);
    Path runFile = tmp.resolve("run.txt");
    TrecRun.write(runFile, run, "x");
    // recip_rank has no cutoff in trec_eval: give it the top 10 only
    Map<String, List<Hit>> top10 = new LinkedHashMap<>();
    run.forEach((q, h) -> top10.put(q, h.subList(0, Math.min(10, h.size()))));
    Path run10 = tmp.resolve("run10.txt");
    TrecRun.write(run10, top10, "x");

    Map<String, Map<String, Double>> te =
        runTrecEval(
            bin, qrelsFile, runFile, "ndcg_cut.10", "recall.100", "map_cut.100", "P.5", "map");
    te.putAll(runTrecEval(bin, qrelsFile, run10, "recip_rank"));

    Map<String, List<String>> rankings = new LinkedHashMap<>();
    run.forEach((q, h) -> rankings.put(q, h.stream().map(Hit::id).toList()));
    List<Metric> metrics =
        List.of(
            Metric.NDCG_10,
            Metric.RECALL_100,
            Metric.MAP_100,
            Metric.parse("p@5"),
            Metric.MRR_10,
            Metric.parse("map"));
    Evaluation ours = Evaluation.of(Qrels.of(judgments), rankings, metrics);
    Map<Metric, String> names =
        Map.of(
            Metric.NDCG_10,
            "ndcg_cut_10",
            Metric.RECALL_100,
            "recall_100",
            Metric.MAP_100,
            "map_cut_100",
            Metric.parse("p@5"),
            "P_5",
            Metric.MRR_10,
            "recip_rank",
            Metric.parse("map"),
            "map");
    int compared = 0;
    for (Metric m : metrics) {
      Map<String, Double> theirs = te.get(names.get(m));
      assertThat(theirs).as(names.get(m)).isNotNull();
      System.out.println(
          "trec_eval cross-check "
              + m
              + ": ours "
              + ours.mean(m)
              + ", trec_eval "
              + theirs.get("all"));
      assertThat(ours.mean(m)).as(m + " mean").isCloseTo(theirs.get("all"), within(5e-5));
      for (Map.Entry<String, Map<Metric, Double>> e : ours.perQuery().entrySet()) {
        if (theirs.containsKey(e.getKey())) { // trec_eval -q omits queries missing from the run
          assertThat(e.getValue().get(m))
              .as(m + " " + e.getKey())
              .isCloseTo(theirs.get(e.getKey()), within(5e-5));
          compared++;
        }
      }
    }
    assertThat(compared).isEqualTo(6 * 36);
  }
}
