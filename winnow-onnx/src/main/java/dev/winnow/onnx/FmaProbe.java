package dev.winnow.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures this machine's fp32 FMA peak: each thread runs {@value #CHAINS} independent vector FMA
 * chains ({@code acc = acc * a + b}) on registers only, so neither memory nor latency limits it.
 * Needs {@code --add-modules jdk.incubator.vector}, so {@code winnow bench} runs it in a child JVM
 * that has it; {@code bench/compare.sh} runs it and the C probe ({@code bench/fma_probe.c}) and
 * divides by the higher; winnow-bench's {@code LateInteractionBenchmark} runs {@link #kernel} as
 * the peak its MaxSim is a fraction of. It lives beside {@link MaxSim}'s kernel, the one Vector API
 * code it is the roofline of.
 *
 * <p>Not thread-safe; run one probe at a time.
 */
public final class FmaProbe {

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int CHAINS = 12;

  private FmaProbe() {}

  /** Best GFLOP/s over {@code tries} runs of about {@code seconds} each on {@code threads}. */
  public static double measure(int threads, double seconds, int tries) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "winnow-fma-probe");
              t.setDaemon(true);
              return t;
            });
    try {
      // Warm-up: lets C2 compile the kernel before anything is timed.
      runOnce(pool, threads, 200_000);
      long iterations = 1_000_000;
      double dt = runOnce(pool, threads, iterations);
      iterations = Math.max(1, (long) (iterations * seconds / dt));
      double best = 0;
      for (int i = 0; i < tries; i++) {
        double t = runOnce(pool, threads, iterations);
        best = Math.max(best, flops(threads, iterations) / t / 1e9);
      }
      return best;
    } finally {
      pool.shutdownNow();
    }
  }

  private static double flops(int threads, long iterations) {
    return flopsPerIteration() * iterations * threads;
  }

  private static double runOnce(ExecutorService pool, int threads, long iterations) {
    List<Callable<Float>> tasks = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      tasks.add(() -> kernel(iterations));
    }
    long t0 = System.nanoTime();
    try {
      float sink = 0;
      for (Future<Float> f : pool.invokeAll(tasks)) {
        sink += f.get();
      }
      if (Float.isNaN(sink)) {
        throw new IllegalStateException("probe produced NaN");
      }
    } catch (Exception e) {
      throw new IllegalStateException("FMA probe failed", e);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** FLOPs one call of {@link #kernel} does per iteration. */
  public static double flopsPerIteration() {
    return 2.0 * SPECIES.length() * CHAINS;
  }

  /**
   * {@value #CHAINS} independent FMA chains of {@code iterations} steps each, on registers only;
   * returns a value that depends on every chain, so none can be optimised away.
   */
  public static float kernel(long iterations) {
    FloatVector a = FloatVector.broadcast(SPECIES, 0.999f);
    FloatVector b = FloatVector.broadcast(SPECIES, 0.001f);
    FloatVector c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b;
    FloatVector c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b;
    for (long n = 0; n < iterations; n++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }
    return c0.add(c1)
        .add(c2)
        .add(c3)
        .add(c4)
        .add(c5)
        .add(c6)
        .add(c7)
        .add(c8)
        .add(c9)
        .add(c10)
        .add(c11)
        .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }

  /** Prints {@code {"probe":"java-vector-api",...}}; args: [threads] [seconds per try]. */
  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 0.5;
    double g = measure(threads, seconds, 5);
    System.out.printf(
        "{\"probe\":\"java-vector-api\",\"threads\":%d,\"lanes\":%d,\"gflops\":%.1f}%n",
        threads, SPECIES.length(), g);
  }
}
