package dev.winnow.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.winnow.api.Encoder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bi-encoder (sentence embedding model) run by ONNX Runtime: token embeddings from a BERT-style
 * graph ({@code last_hidden_state} or {@code token_embeddings}, float {@code [batch, sequence,
 * hidden]}), pooled by {@link Pooling#CLS} or attention-masked {@link Pooling#MEAN}, then
 * L2-normalised (unless {@link Options#normalize()} is false).
 *
 * <p>Queries get {@link Options#queryPrefix()} and documents {@link Options#documentPrefix()}
 * prepended before tokenizing (e.g. BGE's retrieval instruction). Each text is {@code [CLS] text
 * [SEP]} cut to {@link #maxLength()} tokens; texts are sorted by length and cut into batches of at
 * most {@link Options#tokenBudget()} tokens that hold texts of one length ({@link
 * TokenBatches#optimal} with no per-batch overhead: nothing is padded), and vectors come back in
 * input order. The graph runs with fused kernels as {@link OnnxCrossEncoder}'s does ({@link
 * Options#fuseKernels()}, {@link #graph()}); unpadded batches take ONNX Runtime's flash attention.
 *
 * <p>Thread-safe: any number of threads may encode at once on one shared ONNX Runtime session.
 * Close once, when no call is running.
 */
public final class OnnxBiEncoder implements Encoder {

  /** How token embeddings become one vector. */
  public enum Pooling {
    /** The first token's ({@code [CLS]}) embedding: BGE. */
    CLS,
    /** The mean over real (attention mask 1) tokens: sentence-transformers' MiniLM models. */
    MEAN
  }

  /**
   * How a bi-encoder is opened.
   *
   * @param name the short name used in provenance, e.g. {@code bge-small}
   * @param pooling CLS or MEAN
   * @param normalize L2-normalise each vector (then a dot product is the cosine)
   * @param queryPrefix prepended to each query before tokenizing
   * @param documentPrefix prepended to each document before tokenizing
   * @param maxLength total tokens per text, specials included (empty: the model's)
   * @param threads ONNX Runtime intra-op threads
   * @param tokenBudget most padded tokens per batch
   * @param fuseKernels run ONNX Runtime's fused attention and skip-layer-norm kernels (checked
   *     against the original graph at load, as for {@link OnnxCrossEncoder.Options#fuseKernels()})
   */
  public record Options(
      String name,
      Pooling pooling,
      boolean normalize,
      String queryPrefix,
      String documentPrefix,
      OptionalInt maxLength,
      int threads,
      int tokenBudget,
      boolean fuseKernels) {

    public Options {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(pooling, "pooling");
      Objects.requireNonNull(queryPrefix, "queryPrefix");
      Objects.requireNonNull(documentPrefix, "documentPrefix");
      Objects.requireNonNull(maxLength, "maxLength");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      if (maxLength.isPresent() && maxLength.getAsInt() < 3) {
        throw new IllegalArgumentException("maxLength must be >= 3, got " + maxLength.getAsInt());
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + threads);
      }
      if (tokenBudget < 16) {
        throw new IllegalArgumentException("tokenBudget must be >= 16, got " + tokenBudget);
      }
    }

    /**
     * Batches of at most this many tokens by default. Dynamically quantized encoders (bge-small
     * int8) quantize activations per batch, so their vectors depend slightly on which texts share a
     * batch; the recorded SciFact figures (docs/results.md, regressions/) were measured with this
     * budget and the one-length batches.
     */
    public static final int DEFAULT_TOKEN_BUDGET = 8192;

    /** Normalised vectors, no prefixes, the model's length, all processors, default budget. */
    public static Options of(String name, Pooling pooling) {
      return new Options(
          name,
          pooling,
          true,
          "",
          "",
          OptionalInt.empty(),
          Runtime.getRuntime().availableProcessors(),
          DEFAULT_TOKEN_BUDGET,
          true);
    }

    public Options withNormalize(boolean n) {
      return new Options(
          name,
          pooling,
          n,
          queryPrefix,
          documentPrefix,
          maxLength,
          threads,
          tokenBudget,
          fuseKernels);
    }

    public Options withQueryPrefix(String p) {
      return new Options(
          name,
          pooling,
          normalize,
          p,
          documentPrefix,
          maxLength,
          threads,
          tokenBudget,
          fuseKernels);
    }

    public Options withDocumentPrefix(String p) {
      return new Options(
          name, pooling, normalize, queryPrefix, p, maxLength, threads, tokenBudget, fuseKernels);
    }

    public Options withMaxLength(int n) {
      return new Options(
          name,
          pooling,
          normalize,
          queryPrefix,
          documentPrefix,
          OptionalInt.of(n),
          threads,
          tokenBudget,
          fuseKernels);
    }

    public Options withThreads(int n) {
      return new Options(
          name,
          pooling,
          normalize,
          queryPrefix,
          documentPrefix,
          maxLength,
          n,
          tokenBudget,
          fuseKernels);
    }

    public Options withTokenBudget(int n) {
      return new Options(
          name,
          pooling,
          normalize,
          queryPrefix,
          documentPrefix,
          maxLength,
          threads,
          n,
          fuseKernels);
    }

    public Options withFusedKernels(boolean fuse) {
      return new Options(
          name,
          pooling,
          normalize,
          queryPrefix,
          documentPrefix,
          maxLength,
          threads,
          tokenBudget,
          fuse);
    }
  }

  private static final List<String> OUTPUTS = List.of("last_hidden_state", "token_embeddings");

  private final Options options;
  private final PairTokenizer tokenizer;
  private final OnnxSessions.Lease lease;
  private final ModelInputs inputs;
  private final String output;
  private final int maxLength;
  private final int dimension;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OnnxBiEncoder(
      Options options,
      PairTokenizer tokenizer,
      OnnxSessions.Lease lease,
      ModelInputs inputs,
      String output,
      int maxLength,
      int dimension) {
    this.options = options;
    this.tokenizer = tokenizer;
    this.lease = lease;
    this.inputs = inputs;
    this.output = output;
    this.maxLength = maxLength;
    this.dimension = dimension;
  }

  /** Loads a bi-encoder from a Hugging Face model folder. */
  public static OnnxBiEncoder open(ModelFolder folder, Options options) {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(options, "options");
    PairTokenizer tokenizer = PairTokenizer.open(folder);
    return open(
        tokenizer,
        () -> OnnxSessions.open(folder.onnx(), options.threads(), probe(tokenizer, options)),
        options);
  }

  /**
   * The load-time check of a fused graph ({@link OnnxSessions}), when fusion is on: three texts of
   * different lengths in one padded batch, then two of one length unpadded, so both attention paths
   * are compared with the original graph, on what the encoder serves: the pooled (and, when so
   * configured, normalised) vectors. Not the raw hidden states: a dynamically quantized graph picks
   * one activation scale per batch tensor, and a change in the last bit of a tensor's maximum moves
   * every token's hidden state by a fraction of a quantization step (bge-small int8: up to 0.1 on
   * values up to 3.8), as a different batch composition does; the pooled vectors move by 1 - cos of
   * about 1e-3, less than batch composition moves them.
   */
  static Optional<OnnxSessions.Probe> probe(PairTokenizer tokenizer, Options options) {
    if (!options.fuseKernels()) {
      return Optional.empty();
    }
    int maxLength = Math.min(128, options.maxLength().orElse(tokenizer.maxLength()));
    List<int[]> ids =
        tokenizer.tokenizeAll(OnnxSessions.Probe.TEXTS, PairTokenizer.pairCharCap(maxLength));
    List<PairEncoding> rows = new ArrayList<>();
    for (int[] text : ids) {
      rows.add(tokenizer.encodeSingle(text, maxLength));
    }
    int shorter = Math.min(rows.get(3).length(), rows.get(4).length());
    List<List<PairEncoding>> batches =
        List.of(
            rows.subList(0, 3),
            List.of(
                tokenizer.encodeSingle(ids.get(3), shorter),
                tokenizer.encodeSingle(ids.get(4), shorter)));
    return Optional.of(
        OnnxSessions.Probe.of(
            batches,
            OnnxBiEncoder::chooseOutput,
            (tensor, batch, width) -> {
              int hidden = Math.toIntExact(tensor.getInfo().getShape()[2]);
              FloatBuffer h = tensor.getFloatBuffer();
              float[] values = new float[batch.size() * hidden];
              for (int b = 0; b < batch.size(); b++) {
                float[] v = pool(h, b, width, hidden, batch.get(b).length(), options, "probe");
                System.arraycopy(v, 0, values, b * hidden, hidden);
              }
              return values;
            }));
  }

  /** Takes ownership of {@code tokenizer}; opens the session with {@code session}. */
  static OnnxBiEncoder open(
      PairTokenizer tokenizer,
      java.util.function.Supplier<OnnxSessions.Lease> session,
      Options options) {
    OnnxSessions.Lease lease = null;
    try {
      int maxLength = options.maxLength().orElse(tokenizer.maxLength());
      if (maxLength > tokenizer.hardMaxLength()) {
        throw new IllegalArgumentException(
            "maxLength must be <= "
                + tokenizer.hardMaxLength()
                + " for "
                + options.name()
                + ", got "
                + maxLength);
      }
      lease = session.get();
      ModelInputs inputs = ModelInputs.validate(lease.session(), lease.label());
      String output = chooseOutput(lease.session(), lease.label());
      OnnxBiEncoder encoder =
          new OnnxBiEncoder(options, tokenizer, lease, inputs, output, maxLength, 0);
      int dimension = encoder.embed(List.of("dimension probe"))[0].length;
      return new OnnxBiEncoder(options, tokenizer, lease, inputs, output, maxLength, dimension);
    } catch (RuntimeException e) {
      if (lease != null) {
        lease.close();
      }
      tokenizer.close();
      throw e;
    }
  }

  static String chooseOutput(OrtSession session, String file) {
    Map<String, NodeInfo> outputs;
    try {
      outputs = session.getOutputInfo();
    } catch (OrtException e) {
      throw new OnnxModelException(file, "cannot read the model's outputs: " + e.getMessage(), e);
    }
    String chosen = null;
    for (String name : OUTPUTS) {
      if (outputs.containsKey(name)) {
        chosen = name;
        break;
      }
    }
    if (chosen == null && outputs.size() == 1) {
      chosen = outputs.keySet().iterator().next();
    }
    if (chosen == null) {
      throw ModelInputs.mismatch(
          session, file, "no token-embedding output (one of " + OUTPUTS + ")");
    }
    if (!(outputs.get(chosen).getInfo() instanceof TensorInfo t)
        || t.type != OnnxJavaType.FLOAT
        || t.getShape().length != 3) {
      throw ModelInputs.mismatch(
          session,
          file,
          "output '" + chosen + "' must be a float tensor [batch, sequence, hidden]");
    }
    return chosen;
  }

  @Override
  public float[][] encodeQueries(List<String> queries) {
    return encode(queries, options.queryPrefix());
  }

  @Override
  public float[][] encodeDocuments(List<String> documents) {
    return encode(documents, options.documentPrefix());
  }

  private float[][] encode(List<String> texts, String prefix) {
    Objects.requireNonNull(texts, "texts");
    if (closed.get()) {
      throw new IllegalStateException("encoder " + options.name() + " is closed");
    }
    List<String> prefixed = new ArrayList<>(texts.size());
    for (String t : texts) {
      prefixed.add(prefix + Objects.requireNonNull(t, "text"));
    }
    return embed(prefixed);
  }

  private float[][] embed(List<String> texts) {
    if (texts.isEmpty()) {
      return new float[0][];
    }
    List<int[]> ids = tokenizer.tokenizeAll(texts, PairTokenizer.pairCharCap(maxLength));
    List<PairEncoding> encodings = new ArrayList<>(ids.size());
    int[] lengths = new int[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      PairEncoding e = tokenizer.encodeSingle(ids.get(i), maxLength);
      encodings.add(e);
      lengths[i] = e.length();
    }
    float[][] out = new float[texts.size()][];
    for (int[] batch : TokenBatches.optimal(lengths, options.tokenBudget(), 0)) {
      List<PairEncoding> rows = new ArrayList<>(batch.length);
      for (int i : batch) {
        rows.add(encodings.get(i));
      }
      float[][] vectors = run(rows);
      for (int k = 0; k < batch.length; k++) {
        out[batch[k]] = vectors[k];
      }
    }
    return out;
  }

  private float[][] run(List<PairEncoding> rows) {
    String file = lease.label();
    try (ModelInputs.Tensors in = inputs.tensors(OnnxSessions.environment(), rows);
        OrtSession.Result result = lease.session().run(in.byName(), Set.of(output))) {
      OnnxTensor tensor = in.tokenOutput(result, output, file, rows.size());
      int width = in.width();
      int hidden = Math.toIntExact(tensor.getInfo().getShape()[2]);
      FloatBuffer h = tensor.getFloatBuffer();
      float[][] vectors = new float[rows.size()][];
      for (int b = 0; b < rows.size(); b++) {
        vectors[b] = pool(h, b, width, hidden, rows.get(b).length(), options, file);
      }
      return vectors;
    } catch (OrtException e) {
      throw new OnnxModelException(file, "inference failed: " + e.getMessage(), e);
    }
  }

  private static float[] pool(
      FloatBuffer h, int row, int width, int hidden, int length, Options options, String file) {
    double[] acc = new double[hidden];
    int base = row * width * hidden;
    int tokens = options.pooling() == Pooling.CLS ? 1 : length;
    for (int t = 0; t < tokens; t++) {
      int at = base + t * hidden;
      for (int j = 0; j < hidden; j++) {
        acc[j] += h.get(at + j);
      }
    }
    double norm = 0;
    for (int j = 0; j < hidden; j++) {
      acc[j] /= tokens;
      norm += acc[j] * acc[j];
    }
    norm = Math.sqrt(norm);
    if (!Double.isFinite(norm)) {
      throw new IllegalStateException(file + " produced a non-finite embedding");
    }
    // As torch.nn.functional.normalize: divide by max(norm, 1e-12).
    double scale = options.normalize() ? 1.0 / Math.max(norm, 1e-12) : 1.0;
    float[] v = new float[hidden];
    for (int j = 0; j < hidden; j++) {
      v[j] = (float) (acc[j] * scale);
    }
    return v;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public String name() {
    return options.name();
  }

  /** Total tokens per text, specials included. */
  public int maxLength() {
    return maxLength;
  }

  public Options options() {
    return options;
  }

  /**
   * Which graph runs: {@code fused (...)} with the kernels it uses, or {@code original (...)} with
   * the reason none are (fusion off, no transformer block recognised, or the probe disagreed).
   */
  public String graph() {
    return lease.graph();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        lease.close();
      } finally {
        tokenizer.close();
      }
    }
  }
}
