package dev.winnow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The side-by-side comparison behind {@code bench/compare.sh}: every implementation runs in its own
 * worker process on the same model files, inputs, maximum length and thread count, and the harness
 * interleaves them call by call (rotating who goes first), so load from elsewhere on the machine
 * hits them all alike and the ratios measured in one run are comparable. Every answer is checked
 * against the reference implementation's (the first one named) before it counts.
 *
 * <p>Run {@code bench/compare.sh --help} for the options.
 */
public final class Compare {

  /** What one run does; parsed from {@code --name value} pairs. */
  record Options(
      Path model,
      Path scifact,
      List<String> variants,
      List<String> impls,
      int threads,
      List<Integer> lengths,
      int batch,
      int warmup,
      int rounds,
      int queries,
      List<Integer> topKs,
      Set<String> sections,
      Path out,
      Path nodeDir,
      String workerJvmOpts,
      double cProbeGflops,
      double javaProbeGflops,
      double peakGflops) {

    static Options parse(String[] args) {
      Map<String, String> a = new LinkedHashMap<>();
      a.put("model", "../shared/models/minilm-l6-ce-fixture");
      a.put("scifact", "../shared/data/scifact");
      a.put("variants", "fp32,qint8");
      a.put("impls", "winnow,naive-ort,langchain4j,djl,transformers.js");
      a.put("threads", "2");
      a.put("lengths", "128,256,512");
      a.put("batch", "32");
      a.put("warmup", "2");
      a.put("rounds", "5");
      a.put("queries", "8");
      a.put("topk", "20,100");
      a.put("sections", "fixed,realistic");
      a.put("out", "winnow-bench/target/compare");
      a.put("node-dir", "bench/node");
      a.put("worker-jvm-opts", "-Xmx1g");
      a.put("c-probe-gflops", "0");
      a.put("java-probe-gflops", "0");
      a.put("peak-gflops", "0");
      a = BenchArgs.parse(args, a);
      Set<String> sections = new LinkedHashSet<>(List.of(a.get("sections").split(",")));
      for (String s : sections) {
        if (!s.equals("fixed") && !s.equals("realistic")) {
          throw new IllegalArgumentException("sections must be fixed and/or realistic, got " + s);
        }
      }
      Options o =
          new Options(
              Path.of(a.get("model")),
              Path.of(a.get("scifact")),
              List.of(a.get("variants").split(",")),
              List.of(a.get("impls").split(",")),
              BenchArgs.atLeast("threads", a.get("threads"), 1),
              BenchArgs.eachAtLeast("lengths", a.get("lengths"), 1),
              BenchArgs.atLeast("batch", a.get("batch"), 1),
              BenchArgs.atLeast("warmup", a.get("warmup"), 0),
              BenchArgs.atLeast("rounds", a.get("rounds"), 1),
              BenchArgs.atLeast("queries", a.get("queries"), 1),
              BenchArgs.eachAtLeast("topk", a.get("topk"), 1),
              sections,
              Path.of(a.get("out")),
              Path.of(a.get("node-dir")),
              a.get("worker-jvm-opts"),
              Double.parseDouble(a.get("c-probe-gflops")),
              Double.parseDouble(a.get("java-probe-gflops")),
              Double.parseDouble(a.get("peak-gflops")));
      if (o.cProbeGflops() <= 0 && o.javaProbeGflops() <= 0 && o.peakGflops() <= 0) {
        throw new IllegalArgumentException(
            "give the measured fp32 peak: --java-probe-gflops and/or --c-probe-gflops"
                + " (bench/compare.sh runs both probes)");
      }
      for (String spec : o.impls) {
        String impl = baseName(spec);
        if (!impl.equals("transformers.js") && !Adapters.known(impl)) {
          throw new IllegalArgumentException(
              "impls must be among "
                  + Adapters.NAMES
                  + ", transformers.js, winnow-unfused, winnow-noflash, winnow+overhead=N and"
                  + " tuned:..., got '"
                  + impl
                  + "'");
        }
      }
      return o;
    }
  }

  private static final int MAX_LENGTH = 512;

  private final Options o;
  private final Results results = new Results();

  private Compare(Options o) {
    this.o = o;
  }

  public static void main(String[] args) {
    Options o = Options.parse(args);
    Compare c = new Compare(o);
    boolean ok = c.run();
    System.exit(ok ? 0 : 1);
  }

  private boolean run() {
    results.started = Instant.now().toString();
    results.loadAtStart = load();
    results.cpuModel = cpuModel();
    results.cpus = Runtime.getRuntime().availableProcessors();
    results.threads = o.threads();
    results.reference = o.impls().get(0);
    results.javaProbeGflops = o.javaProbeGflops();
    results.cProbeGflops = o.cProbeGflops();
    results.givenPeakGflops = o.peakGflops();
    log(
        String.format(
            "peak: java %.1f GFLOP/s, c %.1f GFLOP/s",
            results.javaProbeGflops, results.cProbeGflops));
    SciFact data = SciFact.load(o.scifact());
    try (TokenCounter tokens = new TokenCounter(o.model().resolve("tokenizer.json"), MAX_LENGTH)) {
      Bm25Candidates bm25 = null;
      if (o.sections().contains("realistic")) {
        int k = o.topKs().stream().mapToInt(Integer::intValue).max().orElse(100);
        bm25 = Bm25Candidates.compute(data, k);
        bm25.write(o.out().resolve("scifact-bm25-top" + k + ".jsonl"));
        results.bm25 = bm25.timing();
      }
      for (String variant : o.variants()) {
        if (o.sections().contains("fixed")) {
          fixed(variant, data, tokens);
        }
        if (bm25 != null) {
          for (int k : o.topKs()) {
            realistic(variant, k, data, bm25, tokens);
          }
        }
      }
    }
    results.loadAtEnd = load();
    Report.write(results, o.out());
    log("wrote " + o.out().resolve("results.md"));
    boolean ok =
        results.fixed.stream().allMatch(Results.Fixed::ok)
            && results.realistic.stream().allMatch(Results.Realistic::ok);
    if (!ok) {
      log("FAIL: some implementation's scores differ from " + results.reference + "'s");
    }
    return ok;
  }

  private void fixed(String variant, SciFact data, TokenCounter tokens) {
    BenchModel model = new BenchModel(o.model(), variant, MAX_LENGTH, o.threads());
    List<WorkerProcess> workers = startWorkers(model, "fixed");
    try {
      for (int length : o.lengths()) {
        FixedLengthInputs in = FixedLengthInputs.build(data, tokens, length, o.batch());
        String load = load();
        log(variant + " fixed length " + length + " x " + o.batch() + " (load " + load + ")");
        Map<String, long[]> nanos = new LinkedHashMap<>();
        Map<String, long[]> cpu = new LinkedHashMap<>();
        Map<String, Double> diff = new LinkedHashMap<>();
        for (WorkerProcess w : workers) {
          nanos.put(w.name(), new long[o.rounds()]);
          cpu.put(w.name(), new long[o.rounds()]);
          diff.put(w.name(), 0.0);
        }
        for (int round = -o.warmup(); round < o.rounds(); round++) {
          Map<String, JsonNode> answers = callRotated(workers, round, in.query(), in.docs());
          log(
              variant
                  + " length "
                  + length
                  + (round < 0 ? " warm-up" : " round " + (round + 1) + "/" + o.rounds())
                  + " done (load "
                  + load()
                  + ")");
          double[] ref = logits(answers.get(results.reference));
          for (var e : answers.entrySet()) {
            expectTokens(e.getKey(), e.getValue(), (long) length * o.batch());
            diff.merge(e.getKey(), maxAbsDiff(ref, logits(e.getValue())), Math::max);
            if (round >= 0) {
              nanos.get(e.getKey())[round] = e.getValue().path("nanos").asLong();
              cpu.get(e.getKey())[round] = e.getValue().path("cpuNanos").asLong(-1);
            }
          }
        }
        for (WorkerProcess w : workers) {
          double d = diff.get(w.name());
          results.fixed.add(
              new Results.Fixed(
                  variant,
                  w.name(),
                  length,
                  o.batch(),
                  nanos.get(w.name()),
                  cpu.get(w.name()),
                  d,
                  d <= tolerance(model, w.name()),
                  loadAverage()));
        }
        Report.write(results, o.out());
      }
    } finally {
      workers.forEach(WorkerProcess::close);
    }
  }

  private void realistic(
      String variant, int k, SciFact data, Bm25Candidates bm25, TokenCounter tokens) {
    BenchModel model = new BenchModel(o.model(), variant, MAX_LENGTH, o.threads());
    List<Bm25Candidates.Candidates> all = bm25.candidates();
    // A fixed, evenly spread sample of the test queries keeps a run to a few minutes.
    List<Bm25Candidates.Candidates> sample = new ArrayList<>();
    for (int i = 0; i < o.queries(); i++) {
      sample.add(all.get((int) ((long) i * all.size() / o.queries())));
    }
    results.queries = sample.size();
    List<WorkerProcess> workers = startWorkers(model, "top" + k);
    try {
      for (WorkerProcess w : workers) {
        w.call(w.request("resetPeak"));
      }
      log(
          variant
              + " realistic top-"
              + k
              + ", "
              + sample.size()
              + " queries (load "
              + load()
              + ")");
      Map<String, long[]> nanos = new LinkedHashMap<>();
      Map<String, long[]> tok = new LinkedHashMap<>();
      Map<String, Double> diff = new LinkedHashMap<>();
      Map<String, Long> peaks = new LinkedHashMap<>();
      for (WorkerProcess w : workers) {
        nanos.put(w.name(), new long[sample.size()]);
        results.realisticCpuNanos.put(
            Results.cpuKey(variant, w.name(), k), new long[sample.size()]);
        tok.put(w.name(), new long[2]);
        diff.put(w.name(), 0.0);
        peaks.put(w.name(), -1L);
      }
      // A worker that dies (the naive baselines can need several GB for top-100 at 512 tokens,
      // and the kernel's OOM killer may end them on a shared machine) is reported, not fatal.
      List<WorkerProcess> alive = new ArrayList<>(workers);
      Map<String, String> failed = new LinkedHashMap<>();
      for (int q = -o.warmup(); q < sample.size(); q++) {
        // Warm-up calls use queries from the end of the list, outside the sample, and at most 20
        // candidates: enough to compile the Java side and size ONNX Runtime's arena, without
        // spending minutes of a loaded machine on untimed top-100 calls.
        Bm25Candidates.Candidates c = q < 0 ? all.get(all.size() + q) : sample.get(q);
        int n = Math.min(q < 0 ? Math.min(k, 20) : k, c.docIds().size());
        List<String> docs = new ArrayList<>();
        for (String id : c.docIds().subList(0, n)) {
          docs.add(fitted(tokens, c.query(), data.corpus().get(id).body()));
        }
        int[] lens = tokens.pairLengths(c.query(), docs);
        long real = Arrays.stream(lens).asLongStream().sum();
        long padToLongest = (long) lens.length * Arrays.stream(lens).max().orElse(0);
        Map<String, JsonNode> answers = callRotated(alive, q, c.query(), docs, failed);
        for (WorkerProcess w : alive) {
          peaks.merge(w.name(), w.peakRssKb(), Math::max);
        }
        log(
            variant
                + " top-"
                + k
                + (q < 0 ? " warm-up" : " query " + (q + 1) + "/" + sample.size())
                + " done (load "
                + load()
                + ")");
        if (!answers.containsKey(results.reference)) {
          throw new IllegalStateException("the reference " + results.reference + " failed");
        }
        double[] ref = logits(answers.get(results.reference));
        for (var e : answers.entrySet()) {
          diff.merge(e.getKey(), maxAbsDiff(ref, logits(e.getValue())), Math::max);
          if (q >= 0) {
            nanos.get(e.getKey())[q] = e.getValue().path("nanos").asLong();
            results.realisticCpuNanos.get(Results.cpuKey(variant, e.getKey(), k))[q] =
                e.getValue().path("cpuNanos").asLong(-1);
            long padded = e.getValue().path("padded").asLong(-1);
            tok.get(e.getKey())[0] += real;
            tok.get(e.getKey())[1] += padded >= 0 ? padded : padToLongest;
          }
        }
      }
      double load = loadAverage();
      for (WorkerProcess w : workers) {
        if (failed.containsKey(w.name())) {
          results.realistic.add(
              new Results.Realistic(
                  variant,
                  w.name(),
                  k,
                  new long[0],
                  0,
                  0,
                  peaks.get(w.name()),
                  diff.get(w.name()),
                  false,
                  load,
                  failed.get(w.name())));
          continue;
        }
        long peak;
        try {
          peak = w.call(w.request("peak")).path("peakRssKb").asLong();
        } catch (IllegalStateException e) {
          // Killed after its last answer (the OOM killer picks the largest process, which is
          // often an idle baseline holding its arena): its timings stand; its peak is the last
          // one read from outside, a lower bound.
          log("FAILED after its last answer: " + e.getMessage().lines().findFirst().orElse(""));
          peak = peaks.get(w.name());
        }
        double d = diff.get(w.name());
        results.realistic.add(
            new Results.Realistic(
                variant,
                w.name(),
                k,
                nanos.get(w.name()),
                tok.get(w.name())[0],
                tok.get(w.name())[1],
                peak,
                d,
                d <= tolerance(model, w.name()),
                load,
                ""));
      }
      Report.write(results, o.out());
    } finally {
      workers.forEach(WorkerProcess::close);
    }
  }

  /**
   * Cuts {@code doc} on a word boundary so that the pair fits {@link #MAX_LENGTH} tokens without
   * truncation. The implementations truncate differently (transformers.js 4.3.2 drops the final
   * [SEP] of a truncated pair), and the comparison is about speed on identical tokens; how Winnow
   * truncates is checked against the goldens by winnow-onnx's tests.
   */
  static String fitted(TokenCounter tokens, String query, String doc) {
    if (tokens.pairLength(query, doc) < MAX_LENGTH) {
      return doc;
    }
    String cut = tokens.prefixOfTokens(doc, MAX_LENGTH - 3 - tokens.length(query));
    if (tokens.pairLength(query, cut) > MAX_LENGTH) {
      throw new IllegalStateException("cannot fit a document into " + MAX_LENGTH + " tokens");
    }
    return cut;
  }

  /**
   * fp32: 1e-4 absolute on the logit (implementations differ only in padding and batch shape).
   * Quantized: 0.03, the fixture's int8 tolerance, because dynamic quantization picks one
   * activation scale per batch tensor, so the same pair in a differently composed batch moves.
   */
  static double tolerance(BenchModel model) {
    return model.quantized() ? 0.03 : 1e-4;
  }

  /** The tolerance for {@code impl} in a section on {@code model}, whichever variant it runs. */
  static double tolerance(BenchModel model, String impl) {
    return Math.max(tolerance(model), tolerance(withVariant(model, impl)));
  }

  /**
   * An implementation named {@code name@variant} (e.g. {@code winnow@qint8}) runs that variant
   * inside a section of another one, so two variants can be interleaved in one comparison.
   */
  static BenchModel withVariant(BenchModel model, String impl) {
    int at = impl.lastIndexOf('@');
    return at < 0
        ? model
        : new BenchModel(model.dir(), impl.substring(at + 1), model.maxLength(), model.threads());
  }

  static String baseName(String impl) {
    int at = impl.lastIndexOf('@');
    return at < 0 ? impl : impl.substring(0, at);
  }

  private Map<String, JsonNode> callRotated(
      List<WorkerProcess> workers, int round, String query, List<String> docs) {
    return callRotated(workers, round, query, docs, null);
  }

  /**
   * Calls every worker once, rotating who goes first. With {@code failed} given, a worker that dies
   * is removed from {@code workers} and its failure recorded instead of ending the run.
   */
  private Map<String, JsonNode> callRotated(
      List<WorkerProcess> workers,
      int round,
      String query,
      List<String> docs,
      Map<String, String> failed) {
    Map<String, JsonNode> answers = new LinkedHashMap<>();
    int n = workers.size();
    for (int i = 0; i < n; i++) {
      WorkerProcess w = workers.get(Math.floorMod(round + i, n));
      ObjectNode req = w.request("score").put("query", query);
      var arr = req.putArray("docs");
      docs.forEach(arr::add);
      JsonNode a;
      try {
        a = w.call(req);
      } catch (IllegalStateException e) {
        if (failed == null) {
          throw e;
        }
        String why = e.getMessage().lines().findFirst().orElse("died");
        log("FAILED: " + why);
        failed.put(w.name(), why);
        continue;
      }
      if (a.path("logits").size() != docs.size()) {
        throw new IllegalStateException(
            w.name() + " returned " + a.path("logits").size() + " logits for " + docs.size());
      }
      answers.put(w.name(), a);
    }
    if (failed != null) {
      workers.removeIf(w -> failed.containsKey(w.name()));
    }
    return answers;
  }

  private static void expectTokens(String impl, JsonNode answer, long expected) {
    long real = answer.path("real").asLong(-1);
    if (real >= 0 && real != expected) {
      throw new IllegalStateException(
          impl + " read " + real + " tokens where the fixed workload has " + expected);
    }
  }

  private List<WorkerProcess> startWorkers(BenchModel model, String section) {
    List<WorkerProcess> workers = new ArrayList<>();
    String java = ProcessHandle.current().info().command().orElse("java");
    for (String spec : o.impls()) {
      String impl = baseName(spec);
      BenchModel own = withVariant(model, spec);
      List<String> cmd = new ArrayList<>();
      if (impl.equals("transformers.js")) {
        cmd.addAll(
            List.of(
                "node",
                o.nodeDir().resolve("worker.mjs").toString(),
                own.dir().toString(),
                own.onnxStem(),
                Integer.toString(own.maxLength()),
                Integer.toString(own.threads())));
      } else {
        cmd.add(java);
        cmd.addAll(List.of(o.workerJvmOpts().trim().split("\\s+")));
        cmd.addAll(
            List.of(
                "-Dai.djl.offline=true",
                "-DRUST_FLAVOR=cpu",
                "-cp",
                System.getProperty("java.class.path"),
                Worker.class.getName(),
                impl,
                own.dir().toString(),
                own.variant(),
                Integer.toString(own.maxLength()),
                Integer.toString(own.threads())));
      }
      Path logFile = o.out().resolve("logs").resolve(model.variant() + "-" + section + "-" + spec);
      log("starting " + spec + " (" + own.variant() + ")");
      workers.add(WorkerProcess.start(spec, cmd, logFile));
    }
    return workers;
  }

  private static double[] logits(JsonNode answer) {
    double[] out = new double[answer.path("logits").size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = answer.path("logits").get(i).asDouble();
    }
    return out;
  }

  private static double maxAbsDiff(double[] a, double[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  private static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static double loadAverage() {
    try {
      return Double.parseDouble(load().split(" ")[0]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
      return "?";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void log(String s) {
    System.err.println("[compare " + Instant.now().toString().substring(11, 19) + "] " + s);
  }
}
