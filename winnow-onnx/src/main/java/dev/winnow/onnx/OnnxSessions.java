package dev.winnow.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * ONNX Runtime sessions shared per model: opening the same file (or classpath resource) with the
 * same thread count twice gives the same {@link OrtSession}, closed when its last {@link Lease} is
 * closed.
 *
 * <p>Every session is created with explicit options: {@code threads} intra-op threads that do not
 * spin while idle, one inter-op thread, sequential execution and all graph optimisations ({@link
 * #OPTIMIZATION}). An {@link OrtSession} may be run from many threads at once, so one session
 * serves all callers.
 *
 * <p>Thread-safe: the registry is guarded by the class lock; leases may be closed from any thread.
 */
final class OnnxSessions {

  /** The graph optimisation level of every session. */
  static final OrtSession.SessionOptions.OptLevel OPTIMIZATION =
      OrtSession.SessionOptions.OptLevel.ALL_OPT;

  private static final Map<Key, Entry> OPEN = new HashMap<>();

  private OnnxSessions() {}

  static OrtEnvironment environment() {
    return OrtEnvironment.getEnvironment();
  }

  /** Opens (or shares) the session of an ONNX file; the error names the file. */
  static Lease open(Path file, int threads) {
    return open(file, threads, Optional.empty());
  }

  /**
   * Opens (or shares) the session of an ONNX file, with its transformer blocks rewritten into ONNX
   * Runtime's fused kernels ({@link TransformerFusion}) when {@code probe} is given and the
   * rewritten graph gives the same outputs as the original on the probe; otherwise the original
   * graph. {@link Lease#graph()} says which.
   */
  static Lease open(Path file, int threads, Optional<Probe> probe) {
    Path real;
    try {
      real = file.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read ONNX model " + file, e);
    }
    String name = real.toString();
    Factory original = options -> environment().createSession(name, options);
    if (probe.isEmpty()) {
      return open(new Key(name, threads, false), original, () -> name);
    }
    return open(
        new Key(name, threads, true),
        options -> fused(real, name, original, probe.get(), options),
        () -> name);
  }

  /**
   * Opens (or shares) the session of an ONNX model held in memory, e.g. read from a classpath
   * resource; {@code name} identifies it in errors and in the registry. With a {@code probe}, fused
   * as {@link #open(Path, int, Optional)} fuses a file (the bytes are written to a temporary file
   * for the rewrite, deleted once the session is open).
   */
  static Lease open(String name, Supplier<byte[]> bytes, int threads, Optional<Probe> probe) {
    Factory original = options -> environment().createSession(bytes.get(), options);
    if (probe.isEmpty()) {
      return open(new Key("classpath:" + name, threads, false), original, () -> name);
    }
    return open(
        new Key("classpath:" + name, threads, true),
        options -> {
          Path copy = null;
          try {
            copy = Files.createTempFile("winnow-model-", ".onnx");
            Files.write(copy, bytes.get());
            String file = copy.toString(); // read the resource once, not for each session
            return fused(
                copy, name, o -> environment().createSession(file, o), probe.get(), options);
          } catch (IOException e) {
            return serveOriginal(original, options, "cannot write the model to fuse it: " + e);
          } finally {
            if (copy != null) {
              try {
                Files.deleteIfExists(copy);
              } catch (IOException ignored) {
                // a temporary file left behind is harmless
              }
            }
          }
        },
        () -> name);
  }

  private static synchronized Lease open(Key key, Factory factory, Supplier<String> label) {
    if (key.threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + key.threads);
    }
    Entry entry = OPEN.get(key);
    if (entry == null) {
      entry = new Entry(create(factory, label.get(), key.threads), label.get());
      OPEN.put(key, entry);
    }
    entry.leases++;
    return new Lease(key, entry);
  }

  private static OrtSession create(Factory factory, String label, int threads) {
    try (OrtSession.SessionOptions options = options(threads)) {
      return factory.create(options);
    } catch (OrtException e) {
      throw new OnnxModelException(
          label, "ONNX Runtime cannot load this model: " + e.getMessage(), e);
    }
  }

  private static OrtSession.SessionOptions options(int threads) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OPTIMIZATION);
      // Idle intra-op threads sleep instead of spinning: on a machine shared with other work
      // (a JVM service, other tenants) spinning threads steal the CPU the computing one needs.
      // With 2 threads under load it made SciFact top-100 reranking ~1.3x faster; see
      // docs/performance.md.
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      return options;
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }

  /**
   * Inputs that exercise a model, and how far a rewritten graph's outputs may stray from the
   * original's on them.
   */
  interface Probe {
    /** Runs the probe batch on {@code session} and returns its outputs, flattened. */
    float[] run(OrtSession session) throws OrtException;

    /**
     * Texts for a probe: short, long and middling, the last two close in length so that an encoder
     * can cut them to one length for an unpadded batch.
     */
    List<String> TEXTS =
        List.of(
            "Fever.",
            "Interferons are signalling proteins released by infected cells.",
            "The innate immune response to viruses begins when pattern recognition receptors"
                + " detect viral nucleic acids; infected cells then release interferons, which"
                + " put neighbouring cells into an antiviral state, while natural killer cells"
                + " destroy cells that display too few self markers.",
            "Antibodies made by B cells bind viral particles and stop them entering cells.",
            "T cells kill infected cells that show viral fragments on their surface markers.");

    /**
     * Runs each of {@code batches} through the session and concatenates what {@code read} takes
     * from the output {@code output} chooses.
     */
    static Probe of(
        List<List<PairEncoding>> batches,
        BiFunction<OrtSession, String, String> output,
        BatchOutput read) {
      return session -> {
        String file = "probe";
        ModelInputs inputs = ModelInputs.validate(session, file);
        String out = output.apply(session, file);
        List<float[]> parts = new ArrayList<>();
        for (List<PairEncoding> batch : batches) {
          try (ModelInputs.Tensors in = inputs.tensors(environment(), batch);
              OrtSession.Result result = session.run(in.byName(), Set.of(out))) {
            if (!(result.get(out).orElseThrow() instanceof OnnxTensor tensor)) {
              throw new IllegalStateException("output " + out + " is not a tensor");
            }
            parts.add(read.read(tensor, batch, in.width()));
          }
        }
        float[] values = new float[parts.stream().mapToInt(v -> v.length).sum()];
        int at = 0;
        for (float[] v : parts) {
          System.arraycopy(v, 0, values, at, v.length);
          at += v.length;
        }
        return values;
      };
    }
  }

  /** What a probe keeps of one batch's output tensor ({@code width}: the padded length). */
  interface BatchOutput {
    float[] read(OnnxTensor output, List<PairEncoding> batch, int width) throws OrtException;
  }

  /** Largest |fused - original| accepted on the probe: float rounding for float graphs. */
  static final double FLOAT_TOLERANCE = 1e-4;

  /**
   * Largest difference accepted for graphs with dynamically quantized matrix products: a value that
   * moves by one rounding step before {@code DynamicQuantizeLinear} can move one quantization step,
   * as the same pair does in a differently composed batch (the fixtures' int8 tolerance).
   */
  static final double QUANTIZED_TOLERANCE = 0.03;

  private static final System.Logger LOG = System.getLogger(OnnxSessions.class.getName());

  /**
   * ONNX Runtime's own optimisations first (saved at the extended level, which is portable), then
   * {@link TransformerFusion}; the rewritten graph is kept only if the probe agrees with the
   * original graph, else the original is served and the reason logged. At most one session of the
   * model is alive at a time, and the weights never pass through the Java heap (they stay in ONNX
   * Runtime's external-data file), so fusing costs no memory beyond what serving costs.
   */
  private static OrtSession fused(
      Path file, String label, Factory original, Probe probe, OrtSession.SessionOptions options)
      throws OrtException {
    Path work = null;
    String why;
    try {
      work = Files.createTempDirectory("winnow-fusion-");
      Optional<Rewrite> rewrite = rewrite(file, work);
      if (rewrite.isEmpty()) {
        return serveOriginal(original, options, "no fusable transformer blocks");
      }
      float[] expected;
      try (OrtSession reference = original.create(options)) {
        expected = probe.run(reference);
      }
      OrtSession fused = environment().createSession(rewrite.get().file().toString(), options);
      try {
        double tolerance = rewrite.get().quantized() ? QUANTIZED_TOLERANCE : FLOAT_TOLERANCE;
        double diff = maxDifference(expected, probe.run(fused));
        if (diff <= tolerance) {
          GRAPHS.put(fused, "fused (" + rewrite.get().report() + ")");
          return fused;
        }
        why = "the fused graph's outputs differ from the original's by " + diff + " > " + tolerance;
      } catch (OrtException | RuntimeException e) {
        why = "the fused graph failed: " + e.getMessage();
      }
      fused.close();
    } catch (IOException e) {
      why = "cannot write the fused graph: " + e.getMessage();
    } catch (OrtException | RuntimeException e) {
      why = "the fused graph failed: " + e.getMessage();
    } finally {
      deleteTree(work);
    }
    LOG.log(System.Logger.Level.WARNING, label + ": serving the original graph; " + why);
    return serveOriginal(original, options, why);
  }

  private static OrtSession serveOriginal(
      Factory original, OrtSession.SessionOptions options, String why) throws OrtException {
    OrtSession session = original.create(options);
    GRAPHS.put(session, "original (" + why + ")");
    return session;
  }

  record Rewrite(Path file, TransformerFusion.Report report, boolean quantized) {}

  /** Tensors at least this large stay in the external-data file; smaller ones are read. */
  private static final String EXTERNAL_MIN_BYTES = String.valueOf(64 * 1024);

  /**
   * Writes the fused model into {@code work}: ONNX Runtime's optimised graph, its large weights in
   * {@code weights.bin} beside it, so only the graph (well under a megabyte) is parsed and
   * rewritten here.
   */
  static Optional<Rewrite> rewrite(Path file, Path work) throws IOException, OrtException {
    if (!OnnxExternalData.scan(file).locations().isEmpty()) {
      return Optional.empty(); // its weights live beside it; leave such models as they are
    }
    Path optimized = work.resolve("optimized.onnx");
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
      options.setOptimizedModelFilePath(optimized.toString());
      options.addConfigEntry(
          "session.optimized_model_external_initializers_file_name", "weights.bin");
      options.addConfigEntry(
          "session.optimized_model_external_initializers_min_size_in_bytes", EXTERNAL_MIN_BYTES);
      environment().createSession(file.toString(), options).close();
    }
    OnnxGraph graph = OnnxGraph.parse(Files.readAllBytes(optimized));
    boolean quantized =
        graph.nodes.stream()
            .anyMatch(n -> n.opType.contains("Integer") || n.opType.startsWith("DynamicQuant"));
    TransformerFusion.Report report = TransformerFusion.apply(graph, ModelInputs.ATTENTION_MASK);
    if (!report.changed()) {
      return Optional.empty();
    }
    Path fused = work.resolve("fused.onnx");
    Files.write(fused, graph.toBytes());
    return Optional.of(new Rewrite(fused, report, quantized));
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // a temporary directory left behind is harmless
    }
  }

  private static double maxDifference(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.POSITIVE_INFINITY;
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - b[i]);
      if (!(d <= max)) {
        max = d; // NaN propagates as "differs"
      }
    }
    return max;
  }

  /** Which graph each open session runs, for {@link Lease#graph()}. */
  private static final Map<OrtSession, String> GRAPHS =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

  private static synchronized void release(Key key, Entry entry) {
    entry.leases--;
    if (entry.leases == 0) {
      OPEN.remove(key);
      GRAPHS.remove(entry.session);
      try {
        entry.session.close();
      } catch (OrtException e) {
        throw new OnnxModelException(entry.label, "cannot close session: " + e.getMessage(), e);
      }
    }
  }

  /** Number of distinct sessions open now (for tests). */
  static synchronized int openSessions() {
    return OPEN.size();
  }

  @FunctionalInterface
  private interface Factory {
    OrtSession create(OrtSession.SessionOptions options) throws OrtException;
  }

  private record Key(String source, int threads, boolean fused) {}

  private static final class Entry {
    final OrtSession session;
    final String label;
    int leases; // guarded by OnnxSessions.class

    Entry(OrtSession session, String label) {
      this.session = session;
      this.label = label;
    }
  }

  /** One holder's claim on a shared session; closing it twice is harmless. */
  static final class Lease implements AutoCloseable {
    private final Key key;
    private final Entry entry;
    private boolean closed; // guarded by this

    private Lease(Key key, Entry entry) {
      this.key = key;
      this.entry = entry;
    }

    OrtSession session() {
      return entry.session;
    }

    /** Which graph runs: "original (...)" or "fused (...)", with what was fused or why not. */
    String graph() {
      return GRAPHS.getOrDefault(entry.session, "original (fusion off)");
    }

    /** The model file or resource, as errors should name it. */
    String label() {
      return entry.label;
    }

    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      release(key, entry);
    }
  }
}
