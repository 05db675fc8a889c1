package dev.winnow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes a run's {@link Results} as {@code results.json}, {@code results.md} (the tables that go
 * into docs/performance.md) and {@code throughput.svg} (pairs/s against sequence length).
 */
final class Report {

  private static final String[] COLORS = {
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d"
  };

  private Report() {}

  static void write(Results r, Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("results.md"), markdown(r), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("throughput.svg"), svg(r), StandardCharsets.UTF_8);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(dir.resolve("results.json").toFile(), json(r));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write results to " + dir, e);
    }
  }

  static String markdown(Results r) {
    StringBuilder s = new StringBuilder();
    s.append(
        f(
            "Run %s on %s (%d CPUs), %d ONNX Runtime threads per implementation. Load average"
                + " (1/5/15 min) at start %s, at end %s.\n\n",
            r.started, r.cpuModel, r.cpus, r.threads, r.loadAtStart, r.loadAtEnd));
    s.append(
        f(
            "fp32 FMA peak on %d threads, probed at the start of this run: Java Vector API %.1f"
                + " GFLOP/s, C (gcc -O3 -march=native) %.1f GFLOP/s; roofline fractions divide by"
                + " **%.1f GFLOP/s**%s.\n\n",
            r.threads,
            r.javaProbeGflops,
            r.cProbeGflops,
            r.peakGflops(),
            r.givenPeakGflops > 0 ? " (the machine's peak, measured when it was idle)" : ""));
    s.append(
        f(
            "Every answer was checked against `%s`'s logits for the same call: fp32 within 1e-4,"
                + " qint8 within 0.03 (dynamic int8 quantization is not batch-invariant).\n\n",
            r.reference));
    if (!r.fixed.isEmpty()) {
      fixedTable(r, s);
    }
    if (!r.realistic.isEmpty()) {
      realisticTable(r, s);
    }
    targets(r, s);
    if (r.bm25 != null) {
      s.append(
          f(
              "\nFirst stage used for the candidates (Lucene BM25 inside the harness, EnglishAnalyzer,"
                  + " k1=0.9 b=0.4, title+text): indexing %,.0f docs/s (%d docs, one thread, in"
                  + " memory), query latency p50 %.2f ms, p99 %.2f ms over the %s test queries.\n",
              r.bm25.indexDocsPerSecond(), r.bm25.docs(), r.bm25.p50Ms(), r.bm25.p99Ms(), "300"));
    }
    return s.toString();
  }

  private static void fixedTable(Results r, StringBuilder s) {
    Set<Integer> lengths = new TreeSet<>();
    r.fixed.forEach(x -> lengths.add(x.length()));
    int batch = r.fixed.get(0).batch();
    int rounds = r.fixed.get(0).nanos().length;
    s.append(
        f(
            "### Fixed length, batch %d (median of %d interleaved rounds)\n\n"
                + "pairs/s of the median round and of the best round (the one least disturbed by"
                + " other load), the best round's fraction of the fp32 roofline (peak / GFLOP per"
                + " pair), and median throughput relative to `%s` with the same model in the same"
                + " run.\n\n",
            batch, rounds, r.reference));
    s.append("| model | implementation |");
    for (int l : lengths) {
      s.append(f(" %d: pairs/s | best | roofline | vs %s |", l, r.reference));
    }
    s.append(" max abs diff | check |\n|---|---|");
    s.append("---:|---:|---:|---:|".repeat(lengths.size())).append("---:|---|\n");
    for (String variant : variants(r)) {
      for (String impl : impls(r)) {
        StringBuilder row = new StringBuilder(f("| %s | %s |", variant, impl));
        double diff = 0;
        boolean ok = true;
        boolean any = false;
        for (int l : lengths) {
          Optional<Results.Fixed> x = fixed(r, variant, impl, l);
          Optional<Results.Fixed> ref = fixed(r, variant, r.reference, l);
          if (x.isEmpty()) {
            row.append(" | | | |");
            continue;
          }
          any = true;
          double pps = x.get().pairsPerSecond();
          double best = x.get().bestPairsPerSecond();
          double roof = best * Results.gflopPerPair(l) / r.peakGflops();
          String ratio = ref.map(y -> f("%.2fx", pps / y.pairsPerSecond())).orElse("n/a");
          row.append(f(" %.1f | %.1f | %.0f%% | %s |", pps, best, 100 * roof, ratio));
          diff = Math.max(diff, x.get().maxAbsDiff());
          ok &= x.get().ok();
        }
        if (any) {
          s.append(row).append(f(" %.2g | %s |\n", diff, ok ? "OK" : "FAIL"));
        }
      }
    }
    s.append("\n");
    cpuTable(r, s, lengths);
  }

  /**
   * The same rounds by CPU time: pairs per CPU-second of the whole worker process (median round)
   * and the fraction of one core's peak ({@code peak / threads}) that this is. On a machine shared
   * with other work the wall clock mostly measures the other tenants; CPU time does not (cache
   * sharing and, for spinning threads, busy-waiting still count against it).
   */
  private static void cpuTable(Results r, StringBuilder s, Set<Integer> lengths) {
    boolean any = r.fixed.stream().anyMatch(x -> Arrays.stream(x.cpuNanos()).allMatch(c -> c > 0));
    if (!any) {
      return;
    }
    double perCore = r.peakGflops() / r.threads;
    s.append(
        f(
            "CPU-time view of the same rounds: pairs per CPU-second of the worker process (all its"
                + " threads) and the fraction of one core's peak (%.1f GFLOP/s) it reaches, i.e."
                + " the roofline fraction it would have with its %d cores to itself. Spinning"
                + " threads count as busy.\n\n",
            perCore, r.threads));
    s.append("| model | implementation |");
    for (int l : lengths) {
      s.append(f(" %d: pairs/CPU-s | of core peak |", l));
    }
    s.append("\n|---|---|").append("---:|---:|".repeat(lengths.size())).append("\n");
    for (String variant : variants(r)) {
      for (String impl : impls(r)) {
        StringBuilder row = new StringBuilder(f("| %s | %s |", variant, impl));
        boolean has = false;
        for (int l : lengths) {
          Optional<Results.Fixed> x = fixed(r, variant, impl, l);
          if (x.isEmpty() || Arrays.stream(x.get().cpuNanos()).anyMatch(c -> c <= 0)) {
            row.append(" | |");
            continue;
          }
          has = true;
          double pps = x.get().pairsPerCpuSecond();
          row.append(f(" %.1f | %.0f%% |", pps, 100 * pps * Results.gflopPerPair(l) / perCore));
        }
        if (has) {
          s.append(row).append('\n');
        }
      }
    }
    s.append("\n");
  }

  private static void realisticTable(Results r, StringBuilder s) {
    s.append(
        f(
            "### Realistic: SciFact test queries, BM25 top-k candidates (%d queries, interleaved)\n\n"
                + "ms per query (all k candidates scored), `%s`'s speed-up = this p50 / `%s`'s p50,"
                + " padding waste = padded tokens / real tokens - 1, peak RSS of the worker process"
                + " (JVM heap capped at 1 GB; Node default) measured from a fresh process.\n\n",
            r.queries, r.reference, r.reference));
    s.append(
        "| model | top-k | implementation | ms/query p50 | p95 | "
            + r.reference
            + " speed-up | padding waste | peak RSS MB | max abs diff | check |\n"
            + "|---|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
    Set<Integer> ks = new TreeSet<>();
    r.realistic.forEach(x -> ks.add(x.topK()));
    for (String variant : variants(r)) {
      for (int k : ks) {
        Optional<Results.Realistic> ref =
            realistic(r, variant, r.reference, k).filter(z -> !z.failed());
        for (String impl : impls(r)) {
          Optional<Results.Realistic> x = realistic(r, variant, impl, k);
          if (x.isEmpty()) {
            continue;
          }
          Results.Realistic y = x.get();
          if (y.failed()) {
            s.append(
                f(
                    "| %s | %d | %s | - | - | - | - | > %.0f | - | FAILED: %s |\n",
                    variant, k, impl, y.peakRssKb() / 1024.0, y.failure().replace("|", "/")));
            continue;
          }
          s.append(
              f(
                  "| %s | %d | %s | %.0f | %.0f | %s | %.1f%% | %.0f | %.2g | %s |\n",
                  variant,
                  k,
                  impl,
                  y.p50Ms(),
                  y.p95Ms(),
                  ref.map(z -> f("%.2fx", y.p50Ms() / z.p50Ms())).orElse("n/a"),
                  100 * y.paddingWaste(),
                  y.peakRssKb() / 1024.0,
                  y.maxAbsDiff(),
                  y.ok() ? "OK" : "FAIL"));
        }
      }
    }
    s.append("\n");
  }

  private static void targets(Results r, StringBuilder s) {
    String w = r.reference;
    List<String> lines = new ArrayList<>();
    fixed(r, "fp32", w, 128)
        .ifPresent(
            x -> {
              double roof = x.bestPairsPerSecond() * Results.gflopPerPair(128) / r.peakGflops();
              lines.add(
                  f(
                      "fp32 at 128 tokens >= 70%% of the measured roofline (best round): %.0f%%"
                          + " -> %s",
                      100 * roof, met(roof >= 0.70)));
            });
    for (int l : new int[] {128, 256, 512}) {
      Optional<Results.Fixed> f32 = fixed(r, "fp32", w, l);
      // Interleaved in the same section (winnow@qint8) when the run has it, else the qint8 section.
      Optional<Results.Fixed> q =
          fixed(r, "fp32", w + "@qint8", l).or(() -> fixed(r, "qint8", w, l));
      if (q.isPresent() && f32.isPresent()) {
        double ratio = q.get().pairsPerSecond() / f32.get().pairsPerSecond();
        lines.add(
            f(
                "qint8 >= 2x fp32 at %d tokens%s: %.2fx -> %s",
                l, q.get().impl().contains("@") ? " (interleaved)" : "", ratio, met(ratio >= 2)));
      }
    }
    Optional<Results.Realistic> top100 = realistic(r, "fp32", w, 100).filter(x -> !x.failed());
    if (top100.isPresent()) {
      for (String other : List.of("langchain4j", "djl", "transformers.js")) {
        realistic(r, "fp32", other, 100)
            .filter(o -> !o.failed())
            .ifPresent(
                o -> {
                  double sp = o.p50Ms() / top100.get().p50Ms();
                  lines.add(
                      f(
                          "fp32 top-100 >= 1.5x faster than %s (p50): %.2fx -> %s",
                          other, sp, met(sp >= 1.5)));
                });
      }
    }
    for (Results.Realistic x : r.realistic) {
      if (x.impl().equals(w) && !x.failed()) {
        lines.add(
            f(
                "%s top-%d padding waste <= 5%%: %.1f%% -> %s",
                x.variant(), x.topK(), 100 * x.paddingWaste(), met(x.paddingWaste() <= 0.05)));
        if (x.topK() == 100) {
          lines.add(
              f(
                  "%s top-100 peak RSS <= 1.5 GB: %.0f MB -> %s",
                  x.variant(), x.peakRssKb() / 1024.0, met(x.peakRssKb() <= 1.5 * 1024 * 1024)));
        }
      }
    }
    if (!lines.isEmpty()) {
      s.append("### Targets\n\n");
      lines.forEach(l -> s.append("- ").append(l).append('\n'));
    }
  }

  private static String met(boolean b) {
    return b ? "**met**" : "**not met**";
  }

  static String svg(Results r) {
    int w = 720;
    int h = 420;
    int left = 70;
    int right = 210;
    int top = 30;
    int bottom = 50;
    Set<Integer> lengthSet = new TreeSet<>();
    r.fixed.forEach(x -> lengthSet.add(x.length()));
    List<Integer> lengths = new ArrayList<>(lengthSet);
    double max = 1;
    for (Results.Fixed x : r.fixed) {
      max = Math.max(max, x.pairsPerSecond());
    }
    for (int l : lengths) {
      max = Math.max(max, r.peakGflops() / Results.gflopPerPair(l));
    }
    max = niceCeil(max * 1.05);
    double plotW = w - left - right;
    double plotH = h - top - bottom;
    StringBuilder s = new StringBuilder();
    s.append(
        f(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">\n",
            w, h));
    s.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", w, h));
    s.append(
        f(
            "<text x=\"%d\" y=\"18\" font-size=\"14\">Cross-encoder throughput vs sequence length"
                + " (batch %s, %d threads)</text>\n",
            left, r.fixed.isEmpty() ? "?" : Integer.toString(r.fixed.get(0).batch()), r.threads));
    for (int i = 0; i <= 5; i++) {
      double v = max * i / 5;
      double y = top + plotH - plotH * i / 5;
      s.append(
          f(
              "<line x1=\"%d\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
              left, left + plotW, y, y, left - 6, y + 4, v));
    }
    for (int i = 0; i < lengths.size(); i++) {
      double x = xAt(i, lengths.size(), left, plotW);
      s.append(
          f(
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
              x, h - bottom + 18, lengths.get(i)));
    }
    s.append(
        f(
            "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">tokens per pair</text>\n",
            left + plotW / 2, h - 12));
    s.append(
        f(
            "<text x=\"16\" y=\"%.0f\" transform=\"rotate(-90 16 %.0f)\""
                + " text-anchor=\"middle\">pairs/s</text>\n",
            top + plotH / 2, top + plotH / 2));
    List<String> legend = new ArrayList<>();
    // fp32 roofline
    StringBuilder roof = new StringBuilder();
    for (int i = 0; i < lengths.size(); i++) {
      double v = r.peakGflops() / Results.gflopPerPair(lengths.get(i));
      roof.append(
          f(
              "%s%.1f,%.1f ",
              i == 0 ? "M" : "L",
              xAt(i, lengths.size(), left, plotW),
              top + plotH - plotH * v / max));
    }
    s.append(
        f(
            "<path d=\"%s\" fill=\"none\" stroke=\"#888\" stroke-width=\"1.5\""
                + " stroke-dasharray=\"2,3\"/>\n",
            roof.toString().trim()));
    legend.add(
        f("<tspan fill=\"#888\">&#8943; fp32 roofline (%.0f GFLOP/s)</tspan>", r.peakGflops()));
    List<String> impls = impls(r);
    for (String variant : variants(r)) {
      for (int ii = 0; ii < impls.size(); ii++) {
        String impl = impls.get(ii);
        String color = COLORS[ii % COLORS.length];
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < lengths.size(); i++) {
          Optional<Results.Fixed> x = fixed(r, variant, impl, lengths.get(i));
          if (x.isPresent()) {
            double px = xAt(i, lengths.size(), left, plotW);
            double py = top + plotH - plotH * x.get().pairsPerSecond() / max;
            d.append(f("%s%.1f,%.1f ", d.length() == 0 ? "M" : "L", px, py));
            s.append(f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px, py, color));
          }
        }
        if (d.length() > 0) {
          String dash = variant.equals("fp32") ? "" : " stroke-dasharray=\"6,4\"";
          s.append(
              f(
                  "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
                  d.toString().trim(), color, dash));
          legend.add(
              f(
                  "<tspan fill=\"%s\">%s %s %s</tspan>",
                  color, variant.equals("fp32") ? "&#9472;&#9472;" : "- -", impl, variant));
        }
      }
    }
    for (int i = 0; i < legend.size(); i++) {
      s.append(
          f(
              "<text x=\"%d\" y=\"%d\">%s</text>\n",
              w - right + 12, top + 14 + 18 * i, legend.get(i)));
    }
    s.append("</svg>\n");
    return s.toString();
  }

  private static double xAt(int i, int n, int left, double plotW) {
    return n == 1 ? left + plotW / 2 : left + 20 + (plotW - 40) * i / (n - 1);
  }

  private static double niceCeil(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static Map<String, Object> json(Results r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("started", r.started);
    m.put("cpu_model", r.cpuModel);
    m.put("cpus", r.cpus);
    m.put("threads", r.threads);
    m.put("load_at_start", r.loadAtStart);
    m.put("load_at_end", r.loadAtEnd);
    m.put("java_probe_gflops", r.javaProbeGflops);
    m.put("c_probe_gflops", r.cProbeGflops);
    m.put("peak_gflops", r.peakGflops());
    m.put("reference", r.reference);
    List<Map<String, Object>> fixed = new ArrayList<>();
    for (Results.Fixed x : r.fixed) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("variant", x.variant());
      e.put("impl", x.impl());
      e.put("length", x.length());
      e.put("batch", x.batch());
      e.put("pairs_per_second", x.pairsPerSecond());
      e.put("best_pairs_per_second", x.bestPairsPerSecond());
      e.put(
          "roofline_fraction",
          x.bestPairsPerSecond() * Results.gflopPerPair(x.length()) / r.peakGflops());
      e.put("nanos", x.nanos());
      e.put("cpu_nanos", x.cpuNanos());
      e.put("max_abs_diff", x.maxAbsDiff());
      e.put("ok", x.ok());
      e.put("load", x.load());
      fixed.add(e);
    }
    m.put("fixed", fixed);
    List<Map<String, Object>> real = new ArrayList<>();
    for (Results.Realistic x : r.realistic) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("variant", x.variant());
      e.put("impl", x.impl());
      e.put("top_k", x.topK());
      e.put("ms_per_query_p50", x.p50Ms());
      e.put("ms_per_query_p95", x.p95Ms());
      e.put("nanos", x.nanos());
      long[] cpu = r.realisticCpuNanos.get(Results.cpuKey(x.variant(), x.impl(), x.topK()));
      if (cpu != null) {
        e.put("cpu_nanos", cpu);
      }
      e.put("real_tokens", x.realTokens());
      e.put("padded_tokens", x.paddedTokens());
      e.put("padding_waste", x.paddingWaste());
      e.put("peak_rss_kb", x.peakRssKb());
      e.put("max_abs_diff", x.maxAbsDiff());
      e.put("ok", x.ok());
      e.put("load", x.load());
      e.put("failure", x.failure());
      real.add(e);
    }
    m.put("realistic", real);
    if (r.bm25 != null) {
      m.put("bm25", r.bm25);
    }
    return m;
  }

  private static List<String> variants(Results r) {
    Set<String> v = new LinkedHashSet<>();
    r.fixed.forEach(x -> v.add(x.variant()));
    r.realistic.forEach(x -> v.add(x.variant()));
    return new ArrayList<>(v);
  }

  private static List<String> impls(Results r) {
    Set<String> v = new LinkedHashSet<>();
    r.fixed.forEach(x -> v.add(x.impl()));
    r.realistic.forEach(x -> v.add(x.impl()));
    return new ArrayList<>(v);
  }

  private static Optional<Results.Fixed> fixed(Results r, String variant, String impl, int l) {
    return r.fixed.stream()
        .filter(x -> x.variant().equals(variant) && x.impl().equals(impl) && x.length() == l)
        .findFirst();
  }

  private static Optional<Results.Realistic> realistic(
      Results r, String variant, String impl, int k) {
    return r.realistic.stream()
        .filter(x -> x.variant().equals(variant) && x.impl().equals(impl) && x.topK() == k)
        .findFirst();
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
