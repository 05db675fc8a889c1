package dev.winnow.bench;

import dev.winnow.api.TokenVectors;
import dev.winnow.onnx.FmaProbe;
import dev.winnow.onnx.MaxSim;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What late interaction costs against a cross-encoder, on one core, over the same candidates: a
 * SciFact test query's BM25 top {@code candidates}, fitted to 512 tokens as in {@link
 * RerankBenchmark}. One op = one query's candidates scored.
 *
 * <ul>
 *   <li>{@code maxsim-vector} / {@code maxsim-scalar}: {@link MaxSim} with each kernel, over a
 *       32-token query and, per candidate, as many vectors of {@code dim} as the candidate has
 *       tokens with {@code [CLS]}, marker and {@code [SEP]} (the shapes a ColBERT at that dimension
 *       would see; the values are seeded random unit vectors, since MaxSim's cost does not depend
 *       on them). Documents are in the scoring layout already ({@link MaxSim#prepare}), as stored
 *       vectors would be.
 *   <li>{@code cross-encoder}: Winnow's engine on the MiniLM-L6 cross-encoder fixture (fp32, one
 *       intra-op thread) over the same query and texts.
 *   <li>{@code fma-peak}: {@link FmaProbe#kernel}, register-only FMA chains: this core's fp32 peak
 *       in the same run, the denominator of MaxSim's roofline fraction ({@link
 *       LateInteractionReport} divides).
 * </ul>
 *
 * Warm-up 3 x 1 s (C2 compiles the MaxSim and FMA kernels within the first; a cross-encoder op
 * takes seconds on one core, so its iterations are single ops), measurement 3 x 2 s; one fork per
 * implementation. Each op also counts its thread's CPU time ({@link CpuTime}). {@code
 * bench/late-interaction.sh} passes the fork's JVM arguments again, since a command-line {@code
 * -jvmArgsAppend} replaces these. The MaxSim kernels check each other and a plain loop at setup;
 * the cross-encoder checks its logits against a second engine instance.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx2g",
      "--add-modules",
      "jdk.incubator.vector",
      "-Dai.djl.offline=true",
      "-DRUST_FLAVOR=cpu"
    })
public class LateInteractionBenchmark {

  /** Query vectors: ColBERT's query_maxlen. */
  static final int QUERY_TOKENS = 32;

  /** Iterations of the FMA probe per op (0.2 ms at this machine's peak). */
  static final long PEAK_ITERATIONS = 1 << 16;

  @Param({"maxsim-vector", "maxsim-scalar", "cross-encoder", "fma-peak"})
  public String impl;

  @Param({"100"})
  public int candidates;

  @Param({"128"})
  public int dim;

  private TokenVectors query;
  private List<MaxSim.Document> documents;
  private MaxSim.Kernel kernel;
  private FixedLengthInputs texts;
  private PairScorerAdapter crossEncoder;
  private float[] expected;

  @Setup(Level.Trial)
  public void setUp() {
    if (impl.equals("fma-peak")) {
      return;
    }
    texts = BenchInputs.rerank(1, candidates).get(0);
    if (impl.equals("cross-encoder")) {
      BenchModel model = BenchInputs.model("fp32", 1);
      try (PairScorerAdapter check = Adapters.create("winnow", model)) {
        expected = check.score(texts.query(), texts.docs()).logits();
      }
      crossEncoder = Adapters.create("winnow", model);
      return;
    }
    kernel = impl.equals("maxsim-vector") ? MaxSim.Kernel.VECTOR : MaxSim.Kernel.SCALAR;
    Random random = new Random(20261207);
    query = unitVectors(random, QUERY_TOKENS, dim);
    documents = new ArrayList<>();
    List<TokenVectors> raw = new ArrayList<>();
    for (int tokens : documentTokens(texts)) {
      TokenVectors d = unitVectors(random, tokens, dim);
      raw.add(d);
      documents.add(MaxSim.prepare(d));
    }
    checkKernels(raw);
  }

  /** Each candidate's token count with {@code [CLS]}, marker and {@code [SEP]}, at most 512. */
  static int[] documentTokens(FixedLengthInputs texts) {
    try (TokenCounter t =
        new TokenCounter(
            BenchInputs.shared(BenchInputs.MINILM).resolve("tokenizer.json"),
            BenchInputs.MAX_LENGTH)) {
      int[] out = new int[texts.docs().size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = Math.min(BenchInputs.MAX_LENGTH, t.length(texts.docs().get(i)) + 3);
      }
      return out;
    }
  }

  /** FLOPs of one op of a MaxSim implementation: 2 x query x document tokens x dim. */
  static double maxSimFlops(int[] documentTokens, int dim) {
    long tokens = 0;
    for (int n : documentTokens) {
      tokens += n;
    }
    return 2.0 * QUERY_TOKENS * tokens * dim;
  }

  private static TokenVectors unitVectors(Random random, int tokens, int dim) {
    float[] v = new float[tokens * dim];
    for (int t = 0; t < tokens; t++) {
      double norm = 0;
      for (int j = 0; j < dim; j++) {
        double x = random.nextGaussian();
        v[t * dim + j] = (float) x;
        norm += x * x;
      }
      for (int j = 0; j < dim; j++) {
        v[t * dim + j] /= (float) Math.sqrt(norm);
      }
    }
    return new TokenVectors(v, dim, Collections.nCopies(tokens, ""));
  }

  /** Both kernels and a plain double loop agree on every candidate, or the run stops. */
  private void checkKernels(List<TokenVectors> raw) {
    for (int i = 0; i < raw.size(); i++) {
      double plain = 0;
      TokenVectors d = raw.get(i);
      for (int q = 0; q < QUERY_TOKENS; q++) {
        double best = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < d.count(); t++) {
          double s = 0;
          for (int j = 0; j < dim; j++) {
            s += (double) query.values()[q * dim + j] * d.values()[t * dim + j];
          }
          best = Math.max(best, s);
        }
        plain += best;
      }
      for (MaxSim.Kernel k : MaxSim.Kernel.values()) {
        double got = MaxSim.score(query, documents.get(i), k);
        if (Math.abs(got - plain) > 1e-4) {
          throw new IllegalStateException(
              k + " MaxSim of candidate " + i + " is " + got + ", a plain loop gives " + plain);
        }
      }
    }
  }

  /**
   * CPU time of this thread across ops, next to the wall time JMH measures: on a machine shared
   * with other work, wall time counts the moments the thread waited for a core, CPU time does not,
   * so a fraction of peak is computed from CPU time (both are reported).
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class CpuTime {
    public long cpuNanos;
    public long calls;
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Benchmark
  public double score(CpuTime cpu) {
    long start = THREADS.getCurrentThreadCpuTime();
    double result = run();
    cpu.cpuNanos += THREADS.getCurrentThreadCpuTime() - start;
    cpu.calls++;
    return result;
  }

  private double run() {
    switch (impl) {
      case "fma-peak":
        return FmaProbe.kernel(PEAK_ITERATIONS);
      case "cross-encoder":
        float[] logits = crossEncoder.score(texts.query(), texts.docs()).logits();
        return logits[logits.length - 1];
      default:
        double sum = 0;
        for (MaxSim.Document d : documents) {
          sum += MaxSim.score(query, d, kernel);
        }
        return sum;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (crossEncoder != null) {
      try {
        float[] last = crossEncoder.score(texts.query(), texts.docs()).logits();
        BenchInputs.check("cross-encoder", expected, last, 1e-4);
      } finally {
        crossEncoder.close();
      }
    }
  }
}
