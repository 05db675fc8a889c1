package dev.winnow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.onnx.FmaProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the JMH results of {@link LateInteractionBenchmark} and prints, as Markdown, each
 * implementation's time per query, MaxSim's GFLOP/s and fraction of the {@code fma-peak} measured
 * in the same run, and how many times faster than the cross-encoder over the same candidates MaxSim
 * is. Needs {@code --add-modules jdk.incubator.vector} ({@link FmaProbe}'s vector width).
 *
 * <p>Args: the JMH JSON file ({@code -rf json}).
 */
public final class LateInteractionReport {

  private LateInteractionReport() {}

  /** One implementation's result: wall and CPU milliseconds per op. */
  private record Timing(double wallMs, double wallError, double cpuMs) {}

  public static void main(String[] args) throws IOException {
    JsonNode results = new ObjectMapper().readTree(Files.readAllBytes(Path.of(args[0])));
    Map<String, Timing> byImpl = new LinkedHashMap<>();
    int candidates = 0;
    int dim = 0;
    for (JsonNode r : results) {
      if (!r.path("benchmark").asText().endsWith("LateInteractionBenchmark.score")) {
        continue;
      }
      JsonNode p = r.path("params");
      candidates = p.path("candidates").asInt();
      dim = p.path("dim").asInt();
      JsonNode m = r.path("primaryMetric");
      JsonNode aux = r.path("secondaryMetrics");
      double cpuMs =
          aux.path("cpuNanos").path("score").asDouble()
              / aux.path("calls").path("score").asDouble()
              / 1e6;
      byImpl.put(
          p.path("impl").asText(),
          new Timing(m.path("score").asDouble(), m.path("scoreError").asDouble(), cpuMs));
    }
    if (!byImpl.containsKey("fma-peak")) {
      throw new IllegalArgumentException(args[0] + " holds no fma-peak result to divide by");
    }
    FixedLengthInputs texts = BenchInputs.rerank(1, candidates).get(0);
    int[] tokens = LateInteractionBenchmark.documentTokens(texts);
    double flops = LateInteractionBenchmark.maxSimFlops(tokens, dim);
    double peakFlops = FmaProbe.flopsPerIteration() * LateInteractionBenchmark.PEAK_ITERATIONS;
    Timing peak = byImpl.get("fma-peak");
    double peakWall = peakFlops / (peak.wallMs() / 1e3) / 1e9;
    double peakCpu = peakFlops / (peak.cpuMs() / 1e3) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%d candidates, %.0f document tokens on average (%d to %d), %d query tokens, dim %d:"
            + " %.1f MFLOP per query. One core's fp32 peak in this run (fma-peak): %.1f GFLOP/s"
            + " per CPU second, %.1f per wall second.%n%n",
        candidates,
        Arrays.stream(tokens).average().orElse(0),
        Arrays.stream(tokens).min().orElse(0),
        Arrays.stream(tokens).max().orElse(0),
        LateInteractionBenchmark.QUERY_TOKENS,
        dim,
        flops / 1e6,
        peakCpu,
        peakWall);
    System.out.println(
        "| implementation | wall ms per query (± 99.9% CI) | CPU ms per query | GFLOP/s (CPU)"
            + " | of peak (CPU) | of peak (wall) | cross-encoder CPU time / this |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    Timing ce = byImpl.get("cross-encoder");
    for (Map.Entry<String, Timing> e : byImpl.entrySet()) {
      if (e.getKey().equals("fma-peak")) {
        continue;
      }
      Timing t = e.getValue();
      boolean maxSim = e.getKey().startsWith("maxsim");
      double cpuGflops = flops / (t.cpuMs() / 1e3) / 1e9;
      double wallGflops = flops / (t.wallMs() / 1e3) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "| %s | %.3f ± %.3f | %.3f | %s | %s | %s | %s |%n",
          e.getKey(),
          t.wallMs(),
          t.wallError(),
          t.cpuMs(),
          maxSim ? String.format(Locale.ROOT, "%.1f", cpuGflops) : "",
          maxSim ? String.format(Locale.ROOT, "%.1f %%", 100 * cpuGflops / peakCpu) : "",
          maxSim ? String.format(Locale.ROOT, "%.1f %%", 100 * wallGflops / peakWall) : "",
          maxSim && ce != null ? String.format(Locale.ROOT, "%.0fx", ce.cpuMs() / t.cpuMs()) : "");
    }
  }
}
