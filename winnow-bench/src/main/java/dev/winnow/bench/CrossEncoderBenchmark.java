package dev.winnow.bench;

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
 * Fixed-length throughput: one batch of {@code batch} pairs, each exactly {@code length} tokens (no
 * padding, no truncation), scored by one in-process implementation. One op = one batch, so pairs/s
 * = ops/s x batch. transformers.js runs only in {@code bench/compare.sh} (it is Node).
 *
 * <p>Warm-up: 2 x 10 s lets C2 compile the Java side and ONNX Runtime size its arena (the first
 * runs of a session allocate); measurement 3 x 10 s. One fork per parameter set: a fresh process
 * keeps one implementation's native arena from inflating another's. Every implementation's answer
 * is checked against Winnow's at setup and again at teardown.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g", "-Dai.djl.offline=true", "-DRUST_FLAVOR=cpu"})
public class CrossEncoderBenchmark {

  @Param({"winnow", "naive-ort", "langchain4j", "djl"})
  public String impl;

  @Param({"fp32", "qint8"})
  public String variant;

  @Param({"128", "256", "512"})
  public int length;

  @Param({"32"})
  public int batch;

  @Param({"2"})
  public int threads;

  private FixedLengthInputs inputs;
  private PairScorerAdapter adapter;
  private float[] expected;
  private float[] last;

  @Setup(Level.Trial)
  public void setUp() {
    BenchModel model = BenchInputs.model(variant, threads);
    inputs = BenchInputs.fixed(length, batch);
    try (PairScorerAdapter winnow = Adapters.create("winnow", model)) {
      expected = winnow.score(inputs.query(), inputs.docs()).logits();
    }
    adapter = Adapters.create(impl, model);
    last = adapter.score(inputs.query(), inputs.docs()).logits();
    BenchInputs.check(impl, expected, last, Compare.tolerance(model));
  }

  @Benchmark
  public float[] scoreBatch() {
    last = adapter.score(inputs.query(), inputs.docs()).logits();
    return last;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      BenchInputs.check(impl, expected, last, Compare.tolerance(BenchInputs.model(variant, 1)));
    } finally {
      adapter.close();
    }
  }
}
