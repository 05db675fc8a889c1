package dev.winnow.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
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
    Path real;
    try {
      real = file.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read ONNX model " + file, e);
    }
    String name = real.toString();
    return open(
        new Key(name, threads), options -> environment().createSession(name, options), () -> name);
  }

  /**
   * Opens (or shares) the session of an ONNX model held in memory, e.g. read from a classpath
   * resource; {@code name} identifies it in errors and in the registry.
   */
  static Lease open(String name, Supplier<byte[]> bytes, int threads) {
    return open(
        new Key("classpath:" + name, threads),
        options -> environment().createSession(bytes.get(), options),
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
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OPTIMIZATION);
      // Idle intra-op threads sleep instead of spinning: on a machine shared with other work
      // (a JVM service, other tenants) spinning threads steal the CPU the computing one needs.
      // With 2 threads under load it made SciFact top-100 reranking ~1.3x faster; see
      // docs/performance.md.
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      return factory.create(options);
    } catch (OrtException e) {
      throw new OnnxModelException(
          label, "ONNX Runtime cannot load this model: " + e.getMessage(), e);
    }
  }

  private static synchronized void release(Key key, Entry entry) {
    entry.leases--;
    if (entry.leases == 0) {
      OPEN.remove(key);
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

  private record Key(String source, int threads) {}

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
