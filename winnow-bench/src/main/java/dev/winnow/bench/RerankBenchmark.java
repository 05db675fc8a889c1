package dev.winnow.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * Realistic reranking latency: a SciFact test query with its BM25 top-{@code candidates} (mixed
 * lengths, cut to fit 512 tokens), one query per op, cycling through {@value #QUERIES} queries so
 * no single length mix decides. Sample mode gives the latency distribution (p50/p95 in the JMH
 * output).
 *
 * <p>Warm-up 2 x 10 s, measurement 3 x 15 s, one fork per parameter set (see {@link
 * CrossEncoderBenchmark}). Answers are checked against Winnow's for every query at setup and for
 * the last one at teardown.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 15)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g", "-Dai.djl.offline=true", "-DRUST_FLAVOR=cpu"})
public class RerankBenchmark {

  static final int QUERIES = 4;

  @Param({"winnow", "naive-ort", "langchain4j", "djl"})
  public String impl;

  @Param({"fp32"})
  public String variant;

  @Param({"20", "100"})
  public int candidates;

  @Param({"2"})
  public int threads;

  private List<FixedLengthInputs> queries;
  private float[][] expected;
  private PairScorerAdapter adapter;
  private int next;
  private int lastQuery;
  private float[] last;

  @Setup(Level.Trial)
  public void setUp() {
    BenchModel model = BenchInputs.model(variant, threads);
    queries = BenchInputs.rerank(QUERIES, candidates);
    expected = new float[QUERIES][];
    try (PairScorerAdapter winnow = Adapters.create("winnow", model)) {
      for (int q = 0; q < QUERIES; q++) {
        expected[q] = winnow.score(queries.get(q).query(), queries.get(q).docs()).logits();
      }
    }
    adapter = Adapters.create(impl, model);
    for (int q = 0; q < QUERIES; q++) {
      float[] got = adapter.score(queries.get(q).query(), queries.get(q).docs()).logits();
      BenchInputs.check(impl, expected[q], got, Compare.tolerance(model));
    }
  }

  @Benchmark
  public float[] rerankOneQuery() {
    lastQuery = next;
    next = (next + 1) % QUERIES;
    FixedLengthInputs q = queries.get(lastQuery);
    last = adapter.score(q.query(), q.docs()).logits();
    return last;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      if (last != null) {
        BenchInputs.check(
            impl,
            expected[lastQuery],
            last,
            Compare.tolerance(BenchInputs.model(variant, threads)));
      }
    } finally {
      adapter.close();
    }
  }
}
