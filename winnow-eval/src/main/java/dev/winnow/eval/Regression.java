package dev.winnow.eval;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A regression as data: one YAML file per (dataset, pipeline) naming the dataset (relative to the
 * shared data root), the split, the pipeline, {@code k}, and the expected value and tolerance of
 * each metric. {@link #run} evaluates it and checks every metric.
 *
 * <pre>
 * name: scifact-bm25-flat
 * dataset: data/scifact
 * split: test
 * k: 100
 * pipeline: {retriever: bm25, k1: 0.9, b: 0.4}
 * metrics:
 *   ndcg@10: {expected: 0.6789, tolerance: 0.003, source: Anserini beir-v1.0.0-scifact.flat}
 * </pre>
 */
public record Regression(
    String name,
    String dataset,
    String split,
    int k,
    PipelineSpec pipeline,
    List<Expectation> expectations) {

  /** One metric's expected value, allowed absolute deviation and where the value comes from. */
  public record Expectation(Metric metric, double expected, double tolerance, String source) {
    public Expectation {
      Objects.requireNonNull(metric, "metric");
      Objects.requireNonNull(source, "source");
      if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
        throw new IllegalArgumentException(
            "tolerance of " + metric + " must be finite and >= 0, got " + tolerance);
      }
    }
  }

  /** One checked metric. */
  public record Check(Expectation expectation, double actual) {
    public boolean ok() {
      return Math.abs(actual - expectation.expected()) <= expectation.tolerance() + 1e-12;
    }
  }

  /** A regression's evaluation and its checks. */
  public record Result(Regression regression, EvalReport report, List<Check> checks) {
    public boolean ok() {
      return checks.stream().allMatch(Check::ok);
    }
  }

  public Regression {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(pipeline, "pipeline");
    expectations = List.copyOf(expectations);
    if (expectations.isEmpty()) {
      throw new IllegalArgumentException("regression " + name + " expects no metrics");
    }
  }

  private static final Set<String> KEYS =
      Set.of("name", "dataset", "split", "k", "pipeline", "metrics", "description");

  /** Reads a regression YAML; every problem names the file and the field. */
  public static Regression load(Path file) {
    Object root;
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("regression file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read regression file " + file, e);
    } catch (YAMLException e) {
      throw new IllegalArgumentException(file + " is not valid YAML: " + e.getMessage(), e);
    }
    Map<String, Object> m = map(root, file, "the document");
    Set<String> unknown = new TreeSet<>(m.keySet());
    unknown.removeAll(KEYS);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          file + ": unknown fields " + unknown + "; allowed: " + new TreeSet<>(KEYS));
    }
    String name = string(m, "name", file).orElse(file.getFileName().toString());
    String dataset = string(m, "dataset", file).orElseThrow(() -> missing(file, "dataset"));
    String split = string(m, "split", file).orElse("test");
    int k = 100;
    Object kv = m.get("k");
    if (kv != null) {
      if (!(kv instanceof Integer i) || i < 1) {
        throw new IllegalArgumentException(file + ": k must be an integer >= 1, got " + kv);
      }
      k = i;
    }
    Map<String, Object> p = map(m.get("pipeline"), file, "pipeline");
    Map<String, String> options = new LinkedHashMap<>();
    String retriever = null;
    for (Map.Entry<String, Object> e : p.entrySet()) {
      if (e.getValue() instanceof Map || e.getValue() instanceof List) {
        throw new IllegalArgumentException(
            file + ": pipeline." + e.getKey() + " must be a scalar, got " + e.getValue());
      }
      if (e.getKey().equals("retriever")) {
        retriever = String.valueOf(e.getValue());
      } else {
        options.put(e.getKey(), String.valueOf(e.getValue()));
      }
    }
    if (retriever == null) {
      throw missing(file, "pipeline.retriever");
    }
    Map<String, Object> metrics = map(m.get("metrics"), file, "metrics");
    List<Expectation> expectations = new ArrayList<>();
    for (Map.Entry<String, Object> e : metrics.entrySet()) {
      Metric metric;
      try {
        metric = Metric.parse(e.getKey());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(file + ": " + ex.getMessage(), ex);
      }
      Map<String, Object> spec = map(e.getValue(), file, "metrics." + e.getKey());
      double expected = number(spec, "expected", file, e.getKey());
      double tolerance = number(spec, "tolerance", file, e.getKey());
      String source = spec.get("source") == null ? "" : String.valueOf(spec.get("source"));
      expectations.add(new Expectation(metric, expected, tolerance, source));
    }
    return new Regression(
        name, dataset, split, k, new PipelineSpec(retriever, options), expectations);
  }

  /**
   * Evaluates this regression with the dataset under {@code sharedRoot}, the index at {@code index}
   * (absent: the {@link IndexCache}), and checks every expectation.
   */
  public Result run(Path sharedRoot, Optional<Path> index, EvalRunner.Progress progress) {
    Path data = sharedRoot.resolve(dataset);
    EvalRequest request =
        new EvalRequest(data, split, pipeline, k, java.util.OptionalInt.empty(), index, 0);
    EvalReport report = EvalRunner.run(request, progress);
    List<Metric> needed = expectations.stream().map(Expectation::metric).toList();
    Map<String, List<String>> rankings = new LinkedHashMap<>();
    report.run().forEach((q, hits) -> rankings.put(q, hits.stream().map(h -> h.id()).toList()));
    // Metrics beyond the standard four (p@5, ndcg@100, ...) are computed on the same run.
    Evaluation all = Evaluation.of(BeirDataset.load(data, split).qrels(), rankings, needed);
    List<Check> checks = new ArrayList<>();
    for (Expectation e : expectations) {
      checks.add(new Check(e, all.mean(e.metric())));
    }
    return new Result(this, report, checks);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o, Path file, String what) {
    if (!(o instanceof Map)) {
      throw new IllegalArgumentException(
          file + ": " + what + " must be a mapping, got " + (o == null ? "nothing" : o));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    ((Map<Object, Object>) o).forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  private static Optional<String> string(Map<String, Object> m, String key, Path file) {
    Object v = m.get(key);
    if (v == null) {
      return Optional.empty();
    }
    if (v instanceof Map || v instanceof List) {
      throw new IllegalArgumentException(file + ": " + key + " must be a string, got " + v);
    }
    return Optional.of(String.valueOf(v));
  }

  private static double number(Map<String, Object> m, String key, Path file, String metric) {
    Object v = m.get(key);
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException(
          file + ": metrics." + metric + "." + key + " must be a number, got " + v);
    }
    return n.doubleValue();
  }

  private static IllegalArgumentException missing(Path file, String field) {
    return new IllegalArgumentException(file + ": required field '" + field + "' is missing");
  }
}
