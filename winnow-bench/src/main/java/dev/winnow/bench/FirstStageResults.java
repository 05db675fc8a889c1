package dev.winnow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one {@link FirstStage} run measured, and its markdown and JSON renderings. Filled by one
 * thread; not thread-safe.
 */
final class FirstStageResults {

  /**
   * One timed ingestion into a fresh on-disk index (read, analyse, embed when {@code encoder} is
   * not {@code none}, commit).
   *
   * @param tokens model tokens embedded (specials included, truncation applied; 0 without encoder)
   * @param prefix true when only the first {@code documents} of the corpus were ingested
   */
  record IndexRun(
      String what,
      String encoder,
      int encoderThreads,
      int batch,
      int documents,
      boolean prefix,
      double seconds,
      double docsPerSecond,
      long tokens,
      double tokensPerSecond) {}

  /**
   * Latency of one retriever at one k over every test query, timed one query at a time; {@code k} 0
   * and {@code ndcg10} NaN for query encoding alone.
   */
  record LatencyRun(
      String retriever,
      String timed,
      int k,
      int queries,
      double p50Ms,
      double p95Ms,
      double p99Ms,
      double meanMs,
      double ndcg10) {

    static LatencyRun of(String retriever, String timed, int k, long[] nanos, double ndcg10) {
      long[] sorted = nanos.clone();
      java.util.Arrays.sort(sorted);
      double sum = 0;
      for (long n : sorted) {
        sum += n;
      }
      return new LatencyRun(
          retriever,
          timed,
          k,
          sorted.length,
          Stats.percentile(sorted, 50) / 1e6,
          Stats.percentile(sorted, 95) / 1e6,
          Stats.percentile(sorted, 99) / 1e6,
          sum / sorted.length / 1e6,
          ndcg10);
    }
  }

  /** One answer check: a metric of a timed run against its recorded value. */
  record Check(
      String run, String metric, double expected, double tolerance, double actual, String source) {
    boolean ok() {
      return Math.abs(actual - expected) <= tolerance + 1e-12;
    }
  }

  /**
   * The 1-minute load average (from /proc/loadavg) when a section started and ended (it counts this
   * process's own busy threads too), its wall time, the CPU time this process used during it (all
   * threads) and the time this JVM spent in garbage collection.
   */
  record Section(
      String name,
      double loadStart,
      double loadEnd,
      double seconds,
      double cpuSeconds,
      long gcMillis) {}

  final Map<String, Object> setup = new LinkedHashMap<>();
  final List<IndexRun> indexRuns = new ArrayList<>();
  final List<LatencyRun> latencyRuns = new ArrayList<>();
  final List<Check> checks = new ArrayList<>();
  final List<String> failures = new ArrayList<>();
  final List<String> notes = new ArrayList<>();
  final List<Section> sections = new ArrayList<>();

  boolean ok() {
    return failures.isEmpty() && checks.stream().allMatch(Check::ok);
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("### Setup\n\n");
    setup.forEach((k, v) -> md.append("* ").append(k).append(": ").append(v).append('\n'));

    md.append("\n### Indexing (SciFact corpus into a fresh on-disk index, commit included)\n\n");
    md.append("| what | encoder (threads) | batch | documents | seconds | docs/s | tokens/s |\n");
    md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (IndexRun r : indexRuns) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %,d%s | %.2f | %.1f | %s |%n",
              r.what(),
              r.encoder().equals("none") ? "none" : r.encoder() + " (" + r.encoderThreads() + ")",
              r.batch(),
              r.documents(),
              r.prefix() ? " (prefix)" : "",
              r.seconds(),
              r.docsPerSecond(),
              r.tokens() == 0
                  ? "—"
                  : String.format(
                      Locale.ROOT, "%.0f (%,d tokens)", r.tokensPerSecond(), r.tokens())));
    }

    md.append("\n### Query latency, one thread (ms per query over the test queries)\n\n");
    md.append("| retriever | timed | k | queries | p50 | p95 | p99 | mean | nDCG@10 |\n");
    md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (LatencyRun r : latencyRuns) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %s |%n",
              r.retriever(),
              r.timed(),
              r.k() == 0 ? "—" : String.valueOf(r.k()),
              r.queries(),
              r.p50Ms(),
              r.p95Ms(),
              r.p99Ms(),
              r.meanMs(),
              Double.isNaN(r.ndcg10()) ? "—" : String.format(Locale.ROOT, "%.4f", r.ndcg10())));
    }

    md.append("\n### Answer checks\n\n");
    md.append("| run | metric | expected | actual | ok | source |\n");
    md.append("| --- | --- | ---: | ---: | --- | --- |\n");
    for (Check c : checks) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.4f ± %.4f | %.4f | %s | %s |%n",
              c.run(),
              c.metric(),
              c.expected(),
              c.tolerance(),
              c.actual(),
              c.ok() ? "yes" : "**NO**",
              c.source()));
    }
    for (String f : failures) {
      md.append("\n**FAILED:** ").append(f).append('\n');
    }
    for (String n : notes) {
      md.append("\n**Note:** ").append(n).append('\n');
    }

    md.append("\n### Load average (1 minute) per section\n\n");
    md.append("| section | wall s | CPU s (this process) | GC ms | at start | at end |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (Section s : sections) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.1f | %.1f | %d | %.2f | %.2f |%n",
              s.name(),
              s.seconds(),
              s.cpuSeconds(),
              s.gcMillis(),
              s.loadStart(),
              s.loadEnd()));
    }
    return md.toString();
  }

  void write(Path dir) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("ok", ok());
    json.put("setup", setup);
    json.put("indexing", indexRuns);
    json.put("latency", latencyRuns);
    json.put("checks", checks.stream().map(FirstStageResults::checkJson).toList());
    json.put("failures", failures);
    json.put("notes", notes);
    json.put("sections", sections);
    try {
      Files.createDirectories(dir);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(dir.resolve("results.json").toFile(), json);
      Files.writeString(dir.resolve("results.md"), markdown(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write results under " + dir, e);
    }
  }

  private static Map<String, Object> checkJson(Check c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run", c.run());
    m.put("metric", c.metric());
    m.put("expected", c.expected());
    m.put("tolerance", c.tolerance());
    m.put("actual", c.actual());
    m.put("ok", c.ok());
    m.put("source", c.source());
    return m;
  }
}
