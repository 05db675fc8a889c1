package dev.winnow.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.winnow.api.Truncation;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.PairEncoding;
import dev.winnow.onnx.PairTokenizer;
import dev.winnow.onnx.TokenBatches;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A test bench for engine settings, not a product: Winnow's own tokenizer ({@link PairTokenizer})
 * and batching rule (sort by length, batches of at most {@code budget} padded tokens, each padded
 * to its longest), with every ONNX Runtime knob the exploration varies set from a spec such as
 * {@code tuned:budget=2048+rows=16+spin=0+opt=all+arena=1+pattern=1+sessions=1+reuse=1+saved=0}
 * ({@code +} between knobs, since {@code --impls} is comma-separated):
 *
 * <ul>
 *   <li>{@code budget}: most padded tokens per batch; {@code rows}: most pairs per batch
 *   <li>{@code lambda}: plan the batches with {@link TokenBatches#optimal} at this per-batch
 *       overhead (in tokens) instead of the greedy {@link TokenBatches#plan}; not with {@code rows}
 *   <li>{@code spin}: {@code session.intra_op.allow_spinning} (1 = ORT's default)
 *   <li>{@code opt}: graph optimisation level none, basic, extended, all
 *   <li>{@code arena}: the CPU memory arena; {@code pattern}: memory pattern planning
 *   <li>{@code sessions}: that many sessions of threads/sessions intra-op threads each, batches
 *       dealt round-robin to one Java thread per session
 *   <li>{@code reuse}: keep the direct input buffers between batches instead of allocating them
 *   <li>{@code saved}: load the graph ORT saved after optimising it (written once under target/),
 *       with optimisation off
 * </ul>
 *
 * Its name is the whole spec, so several settings compare side by side in one run.
 */
final class TunedOrtScorer implements PairScorerAdapter {

  private final String spec;
  private final Map<String, String> knobs;
  private final PairTokenizer tokenizer;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final List<OrtSession> sessions = new ArrayList<>();
  private final ExecutorService pool;
  private final int maxLength;
  private final int budget;
  private final int rows;
  private final int lambda;
  private final boolean reuse;
  private final ThreadLocal<LongBuffer[]> buffers = new ThreadLocal<>();

  TunedOrtScorer(String spec, BenchModel m) {
    this.spec = spec;
    this.knobs = parse(spec);
    this.maxLength = m.maxLength();
    this.budget = knob("budget", 8192);
    this.rows = knob("rows", Integer.MAX_VALUE);
    this.lambda = knob("lambda", -1);
    if (lambda >= 0 && knobs.containsKey("rows")) {
      throw new IllegalArgumentException("tuned knobs lambda and rows do not combine: " + spec);
    }
    this.reuse = knob("reuse", 0) == 1;
    int nSessions = knob("sessions", 1);
    if (m.threads() % nSessions != 0) {
      throw new IllegalArgumentException(
          "sessions must divide threads " + m.threads() + ", got " + nSessions);
    }
    ModelFolder folder = ModelFolder.open(m.dir(), m.winnowVariant());
    tokenizer = PairTokenizer.open(folder);
    Path onnx = m.onnx();
    String opt = knobs.getOrDefault("opt", "all");
    try {
      if (knob("saved", 0) == 1) {
        Path saved = Path.of("winnow-bench/target/optimized-" + m.onnxStem() + "-" + opt + ".onnx");
        if (!Files.exists(saved)) {
          try (OrtSession.SessionOptions o = options(m.threads(), opt)) {
            Files.createDirectories(saved.getParent());
            o.setOptimizedModelFilePath(saved.toString());
            env.createSession(onnx.toString(), o).close();
          }
        }
        onnx = saved;
        opt = "none";
      }
      for (int i = 0; i < nSessions; i++) {
        try (OrtSession.SessionOptions o = options(m.threads() / nSessions, opt)) {
          sessions.add(env.createSession(onnx.toString(), o));
        }
      }
    } catch (OrtException | java.io.IOException e) {
      throw new IllegalStateException("cannot open " + onnx + " with " + spec, e);
    }
    pool =
        nSessions == 1
            ? null
            : Executors.newFixedThreadPool(
                nSessions,
                r -> {
                  Thread t = new Thread(r, "tuned-session");
                  t.setDaemon(true);
                  return t;
                });
  }

  private OrtSession.SessionOptions options(int threads, String opt) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setIntraOpNumThreads(threads);
    o.setInterOpNumThreads(1);
    o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    o.setOptimizationLevel(
        switch (opt) {
          case "none" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
          case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
          case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
          case "all" -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
          default ->
              throw new IllegalArgumentException(
                  "opt must be none, basic, extended or all, got '" + opt + "'");
        });
    o.setCPUArenaAllocator(knob("arena", 1) == 1);
    o.setMemoryPatternOptimization(knob("pattern", 1) == 1);
    o.addConfigEntry("session.intra_op.allow_spinning", Integer.toString(knob("spin", 1)));
    return o;
  }

  private static Map<String, String> parse(String spec) {
    Map<String, String> out = new LinkedHashMap<>();
    String body = spec.startsWith("tuned:") ? spec.substring(6) : "";
    for (String kv : body.split("[,+]")) {
      if (kv.isBlank()) {
        continue;
      }
      String[] p = kv.split("=", 2);
      if (p.length != 2) {
        throw new IllegalArgumentException("tuned knob must be name=value, got '" + kv + "'");
      }
      out.put(p[0], p[1]);
    }
    return out;
  }

  private int knob(String name, int dflt) {
    String v = knobs.get(name);
    return v == null ? dflt : Integer.parseInt(v);
  }

  @Override
  public String name() {
    return spec;
  }

  @Override
  public ScoredBatch score(String query, List<String> docs) {
    List<PairEncoding> enc = new ArrayList<>(docs.size());
    int[] qIds = tokenizer.tokenize(query);
    long real = 0;
    for (String d : docs) {
      PairEncoding e =
          tokenizer.encode(
              new dev.winnow.onnx.TokenizedPair(qIds, tokenizer.tokenize(d)),
              maxLength,
              Truncation.LONGEST_FIRST);
      enc.add(e);
      real += e.length();
    }
    List<int[]> plan = plan(enc);
    float[] out = new float[docs.size()];
    long padded = 0;
    try {
      if (pool == null) {
        for (int[] b : plan) {
          padded += run(sessions.get(0), enc, b, out);
        }
      } else {
        List<Future<Long>> fs = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
          int[] b = plan.get(i);
          OrtSession s = sessions.get(i % sessions.size());
          fs.add(pool.submit(() -> run(s, enc, b, out)));
        }
        for (Future<Long> f : fs) {
          padded += f.get();
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(spec + " failed", e);
    }
    return new ScoredBatch(out, real, padded);
  }

  private List<int[]> plan(List<PairEncoding> enc) {
    int[] lengths = new int[enc.size()];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = enc.get(i).length();
    }
    if (lambda >= 0) {
      return TokenBatches.optimal(lengths, budget, lambda);
    }
    if (rows == Integer.MAX_VALUE) {
      return TokenBatches.plan(lengths, budget);
    }
    // Greedy with a row cap as well (e.g. rows=1: one pair per run).
    Integer[] order = new Integer[lengths.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
    List<int[]> plan = new ArrayList<>();
    for (int start = 0; start < order.length; ) {
      int longest = lengths[order[start]];
      int size = Math.max(1, Math.min(Math.min(order.length - start, rows), budget / longest));
      int[] b = new int[size];
      for (int k = 0; k < size; k++) {
        b[k] = order[start + k];
      }
      plan.add(b);
      start += size;
    }
    return plan;
  }

  private long run(OrtSession session, List<PairEncoding> enc, int[] batch, float[] out)
      throws OrtException {
    int width = 0;
    for (int i : batch) {
      width = Math.max(width, enc.get(i).length());
    }
    int n = batch.length * width;
    LongBuffer ids = buffer(0, n);
    LongBuffer mask = buffer(1, n);
    LongBuffer types = buffer(2, n);
    for (int i : batch) {
      PairEncoding e = enc.get(i);
      ids.put(e.inputIds());
      types.put(e.tokenTypeIds());
      for (int k = 0; k < e.length(); k++) {
        mask.put(1L);
      }
      for (int k = e.length(); k < width; k++) {
        ids.put(0L);
        mask.put(0L);
        types.put(0L);
      }
    }
    long[] shape = {batch.length, width};
    try (OnnxTensor tIds = OnnxTensor.createTensor(env, ids.flip(), shape);
        OnnxTensor tMask = OnnxTensor.createTensor(env, mask.flip(), shape);
        OnnxTensor tTypes = OnnxTensor.createTensor(env, types.flip(), shape);
        OrtSession.Result r =
            session.run(
                Map.of("input_ids", tIds, "attention_mask", tMask, "token_type_ids", tTypes))) {
      FloatBuffer logits = ((OnnxTensor) r.get(0)).getFloatBuffer();
      for (int k = 0; k < batch.length; k++) {
        out[batch[k]] = logits.get(k);
      }
    }
    return n;
  }

  private LongBuffer buffer(int which, int n) {
    if (!reuse) {
      return direct(n);
    }
    LongBuffer[] mine = buffers.get();
    if (mine == null) {
      mine = new LongBuffer[3];
      buffers.set(mine);
    }
    if (mine[which] == null || mine[which].capacity() < n) {
      mine[which] = direct(Math.max(n, budget));
    }
    LongBuffer b = mine[which];
    b.clear();
    return b;
  }

  private static LongBuffer direct(int n) {
    return ByteBuffer.allocateDirect(n * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
    for (OrtSession s : sessions) {
      try {
        s.close();
      } catch (OrtException e) {
        throw new IllegalStateException("cannot close session", e);
      }
    }
    tokenizer.close();
  }
}
