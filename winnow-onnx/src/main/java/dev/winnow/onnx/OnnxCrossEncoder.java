package dev.winnow.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.winnow.api.Activation;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import dev.winnow.api.Truncation;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cross-encoder (BERT-style sequence classifier) run by ONNX Runtime from a Hugging Face model
 * folder.
 *
 * <h2>What the model must look like</h2>
 *
 * Inputs {@code input_ids}, {@code attention_mask} and optionally {@code token_type_ids} (int64,
 * {@code [batch, sequence]}); output {@code logits} (or the only output), float, shaped {@code
 * [batch, 1]}, {@code [batch]} or {@code [batch, 2]}. Anything else is refused at load with the
 * model's actual inputs and outputs in the message.
 *
 * <h2>Logit and activation</h2>
 *
 * With one label the logit is the model's output. With two labels it is {@code l_pos - l_neg}, the
 * positive label being chosen from config.json's {@code id2label} (see {@link
 * ModelConfig#positiveIndex()}), so that the sigmoid of this logit equals the softmax probability
 * of the positive label. The default activation comes from config.json as sentence-transformers
 * reads it ({@code sentence_transformers.activation_fn}: Sigmoid → {@link Activation#SIGMOID},
 * Identity → {@link Activation#RAW}; absent → SIGMOID); {@link Options#defaultActivation()}
 * overrides it, and {@link ScoringOptions#activation()} overrides both for one call.
 *
 * <h2>Batching</h2>
 *
 * Pairs are sorted by token length and cut into batches of at most {@link Options#tokenBudget()}
 * padded tokens; each batch is padded only to its longest pair (with attention mask 0) and the
 * scores are returned in input order. The cut points are the ones that minimise padded tokens plus
 * {@link Options#batchOverhead()} per batch ({@link TokenBatches#optimal}), so a short list is not
 * left with one ragged, badly padded batch; {@link #batches} shows the plan for given lengths. A
 * score does not depend on its batch beyond float rounding (the fixtures' tests hold it to 1e-5). A
 * NaN or infinite logit is an {@link IllegalStateException}, never a score.
 *
 * <p>Thread-safe: any number of threads may score at once; they share one ONNX Runtime session
 * ({@link Options#threads()} intra-op threads) and one tokenizer. Close once, when no call is
 * running.
 */
public final class OnnxCrossEncoder implements CrossEncoder {

  /**
   * How a cross-encoder is opened.
   *
   * @param threads ONNX Runtime intra-op threads (default: available processors)
   * @param tokenBudget most padded tokens per batch, i.e. batch size x padded length (default 2048:
   *     against 8192 it cut peak RSS on SciFact top-100 from 1.2 GB to 0.5 GB at the same speed,
   *     see docs/performance.md)
   * @param batchOverhead what one more batch costs, in padded tokens, when the batches are planned:
   *     0 (the default) minimises padding alone, larger values prefer fewer, fuller batches. On a
   *     2-thread CPU 0 was fastest (SciFact top-20: 0.89x the greedy plan's time fp32, 0.80x qint8;
   *     one pair per run was as fast, so a run's own cost is negligible there, see
   *     docs/performance.md); raise it where a run costs more (many threads, accelerators)
   * @param defaultActivation overrides config.json's activation when present
   * @param fuseKernels rewrite the transformer blocks into ONNX Runtime's fused attention and
   *     skip-layer-norm kernels (default true: 1.07-1.23x faster on MiniLM at fixed length; the
   *     rewritten graph is checked against the original on a probe batch at load and dropped if it
   *     differs, see {@link #graph()})
   */
  public record Options(
      int threads,
      int tokenBudget,
      int batchOverhead,
      Optional<Activation> defaultActivation,
      boolean fuseKernels) {

    public static final int DEFAULT_TOKEN_BUDGET = 2048;

    public static final int DEFAULT_BATCH_OVERHEAD = 0;

    public Options {
      Objects.requireNonNull(defaultActivation, "defaultActivation");
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + threads);
      }
      if (tokenBudget < 16) {
        throw new IllegalArgumentException("tokenBudget must be >= 16, got " + tokenBudget);
      }
      if (batchOverhead < 0) {
        throw new IllegalArgumentException("batchOverhead must be >= 0, got " + batchOverhead);
      }
    }

    /** Options with the default batch overhead. */
    public Options(
        int threads, int tokenBudget, Optional<Activation> defaultActivation, boolean fuseKernels) {
      this(threads, tokenBudget, DEFAULT_BATCH_OVERHEAD, defaultActivation, fuseKernels);
    }

    public static Options defaults() {
      return new Options(
          Runtime.getRuntime().availableProcessors(),
          DEFAULT_TOKEN_BUDGET,
          DEFAULT_BATCH_OVERHEAD,
          Optional.empty(),
          true);
    }

    public Options withThreads(int n) {
      return new Options(n, tokenBudget, batchOverhead, defaultActivation, fuseKernels);
    }

    public Options withTokenBudget(int n) {
      return new Options(threads, n, batchOverhead, defaultActivation, fuseKernels);
    }

    public Options withBatchOverhead(int n) {
      return new Options(threads, tokenBudget, n, defaultActivation, fuseKernels);
    }

    public Options withDefaultActivation(Activation a) {
      return new Options(threads, tokenBudget, batchOverhead, Optional.of(a), fuseKernels);
    }

    public Options withFusedKernels(boolean fuse) {
      return new Options(threads, tokenBudget, batchOverhead, defaultActivation, fuse);
    }
  }

  /** How the output tensor holds one score per pair. */
  private enum Head {
    /** {@code [batch, 1]} */
    COLUMN,
    /** {@code [batch]} */
    VECTOR,
    /** {@code [batch, 2]}: positive minus negative label. */
    TWO_LABELS
  }

  private final String name;
  private final String file;
  private final PairTokenizer tokenizer;
  private final OnnxSessions.Lease lease;
  private final ModelInputs inputs;
  private final String output;
  private final Head head;
  private final int positive;
  private final Activation defaultActivation;
  private final int tokenBudget;
  private final int batchOverhead;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OnnxCrossEncoder(
      String name,
      String file,
      PairTokenizer tokenizer,
      OnnxSessions.Lease lease,
      ModelInputs inputs,
      String output,
      Head head,
      int positive,
      Activation defaultActivation,
      int tokenBudget,
      int batchOverhead) {
    this.name = name;
    this.file = file;
    this.tokenizer = tokenizer;
    this.lease = lease;
    this.inputs = inputs;
    this.output = output;
    this.head = head;
    this.positive = positive;
    this.defaultActivation = defaultActivation;
    this.tokenBudget = tokenBudget;
    this.batchOverhead = batchOverhead;
  }

  public static OnnxCrossEncoder open(ModelFolder folder) {
    return open(folder, Options.defaults());
  }

  /**
   * Loads the tokenizer and the ONNX file of {@code folder} and checks the model's signature.
   *
   * @throws IllegalArgumentException for a bad config.json, tokenizer.json or activation
   * @throws OnnxModelException when ONNX Runtime cannot load the file or its signature does not fit
   */
  public static OnnxCrossEncoder open(ModelFolder folder, Options options) {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(options, "options");
    ModelConfig config = ModelConfig.read(folder.config(), folder.tokenizerConfig());
    Activation activation =
        options
            .defaultActivation()
            .or(config::defaultActivation)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        folder.config()
                            + " names activation '"
                            + config.activationName().orElse("")
                            + "', which Winnow does not support (Sigmoid, Identity); choose a"
                            + " default activation explicitly"));
    PairTokenizer tokenizer = PairTokenizer.open(folder);
    OnnxSessions.Lease lease = null;
    try {
      lease =
          OnnxSessions.open(
              folder.onnx(),
              options.threads(),
              options.fuseKernels() ? Optional.of(probe(tokenizer)) : Optional.empty());
      String file = lease.label();
      OrtSession session = lease.session();
      ModelInputs inputs = ModelInputs.validate(session, file);
      String output = chooseOutput(session, file);
      Head head = head(session, file, output, config.numLabels());
      String name = folder.root().getFileName().toString();
      if (!ModelFolder.DEFAULT_VARIANT.equals(folder.variant())) {
        name += "[" + folder.variant() + "]";
      }
      return new OnnxCrossEncoder(
          name,
          file,
          tokenizer,
          lease,
          inputs,
          output,
          head,
          config.positiveIndex(),
          activation,
          options.tokenBudget(),
          options.batchOverhead());
    } catch (RuntimeException e) {
      if (lease != null) {
        lease.close();
      }
      tokenizer.close();
      throw e;
    }
  }

  /**
   * Three pairs of different lengths in one padded batch, then two pairs of the same length in an
   * unpadded one, so a rewritten graph is checked on both of its attention paths (with and without
   * a padding mask), on padding as well as on tokens.
   */
  private static OnnxSessions.Probe probe(PairTokenizer tokenizer) {
    String query = "what does the immune system do against a viral infection";
    int maxLength = Math.min(128, tokenizer.maxLength());
    List<String> texts = new ArrayList<>(OnnxSessions.Probe.TEXTS.size() + 1);
    texts.add(query);
    texts.addAll(OnnxSessions.Probe.TEXTS);
    List<int[]> ids = tokenizer.tokenizeAll(texts, PairTokenizer.pairCharCap(maxLength));
    List<PairEncoding> rows = new ArrayList<>();
    for (int i = 1; i < ids.size(); i++) {
      rows.add(tokenizer.encode(ids.get(0), ids.get(i), maxLength, Truncation.LONGEST_FIRST));
    }
    int shorter = Math.min(rows.get(3).length(), rows.get(4).length());
    List<List<PairEncoding>> batches =
        List.of(
            rows.subList(0, 3),
            List.of(
                tokenizer.encode(ids.get(0), ids.get(4), shorter, Truncation.LONGEST_FIRST),
                tokenizer.encode(ids.get(0), ids.get(5), shorter, Truncation.LONGEST_FIRST)));
    return OnnxSessions.Probe.of(
        batches,
        OnnxCrossEncoder::chooseOutput,
        (tensor, batch, width) -> {
          FloatBuffer buffer = tensor.getFloatBuffer();
          float[] values = new float[buffer.remaining()];
          buffer.get(values);
          return values;
        });
  }

  private static String chooseOutput(OrtSession session, String file) {
    Set<String> names = session.getOutputNames();
    if (names.contains("logits")) {
      return "logits";
    }
    if (names.size() == 1) {
      return names.iterator().next();
    }
    throw ModelInputs.mismatch(session, file, "no output named 'logits'");
  }

  private static Head head(OrtSession session, String file, String output, int numLabels) {
    NodeInfo info;
    try {
      info = session.getOutputInfo().get(output);
    } catch (OrtException e) {
      throw new OnnxModelException(file, "cannot read the model's outputs: " + e.getMessage(), e);
    }
    if (!(info.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
      throw ModelInputs.mismatch(session, file, "output '" + output + "' must be a float tensor");
    }
    long[] shape = t.getShape();
    if (shape.length == 1) {
      return Head.VECTOR;
    }
    if (shape.length == 2) {
      long labels = shape[1] > 0 ? shape[1] : numLabels;
      if (labels == 1) {
        return Head.COLUMN;
      }
      if (labels == 2) {
        return Head.TWO_LABELS;
      }
    }
    throw ModelInputs.mismatch(
        session,
        file,
        "output '"
            + output
            + "' must be shaped [batch, 1], [batch] or [batch, 2], got "
            + Arrays.toString(shape));
  }

  /** Scores text pairs; see the class javadoc for truncation, batching and activation. */
  @Override
  public List<PairScore> scorePairs(List<TextPair> pairs, ScoringOptions options) {
    Objects.requireNonNull(pairs, "pairs");
    Objects.requireNonNull(options, "options");
    checkOpen();
    if (pairs.isEmpty()) {
      return List.of();
    }
    for (int i = 0; i < pairs.size(); i++) {
      if (pairs.get(i).query().isBlank()) {
        throw new IllegalArgumentException(
            "query must not be blank"
                + (pairs.size() > 1 ? " (pair " + i + ")" : "")
                + ", got '"
                + pairs.get(i).query()
                + "'");
      }
    }
    int maxLength = maxLength(options);
    // Each distinct query is tokenized once; all texts go to the native tokenizer in one call.
    Map<String, Integer> queryIndex = new HashMap<>();
    List<String> texts = new ArrayList<>(pairs.size() + 1);
    for (TextPair p : pairs) {
      if (queryIndex.putIfAbsent(p.query(), texts.size()) == null) {
        texts.add(p.query());
      }
    }
    int firstDocument = texts.size();
    for (TextPair p : pairs) {
      texts.add(p.document());
    }
    List<int[]> ids = tokenizer.tokenizeAll(texts, PairTokenizer.pairCharCap(maxLength));
    List<PairEncoding> encodings = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      int[] q = ids.get(queryIndex.get(pairs.get(i).query()));
      encodings.add(
          tokenizer.encode(q, ids.get(firstDocument + i), maxLength, options.truncation()));
    }
    return score(encodings, activation(options));
  }

  /**
   * Scores pairs already tokenized with {@link #tokenizer()} (ids without special tokens), e.g.
   * passage windows; they are truncated and wrapped exactly like text pairs, so a window that fits
   * is read as is. Returned in input order.
   */
  public List<PairScore> scoreTokenized(List<TokenizedPair> pairs, ScoringOptions options) {
    Objects.requireNonNull(pairs, "pairs");
    Objects.requireNonNull(options, "options");
    checkOpen();
    if (pairs.isEmpty()) {
      return List.of();
    }
    int maxLength = maxLength(options);
    List<PairEncoding> encodings = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      TokenizedPair p = pairs.get(i);
      if (p.queryIds().length == 0) {
        throw new IllegalArgumentException("query of tokenized pair " + i + " has no tokens");
      }
      encodings.add(tokenizer.encode(p, maxLength, options.truncation()));
    }
    return score(encodings, activation(options));
  }

  private List<PairScore> score(List<PairEncoding> encodings, Activation activation) {
    int[] lengths = new int[encodings.size()];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = encodings.get(i).length();
    }
    double[] logits = new double[encodings.size()];
    for (int[] batch : batches(lengths)) {
      List<PairEncoding> rows = new ArrayList<>(batch.length);
      for (int i : batch) {
        rows.add(encodings.get(i));
      }
      double[] out = run(rows);
      for (int k = 0; k < batch.length; k++) {
        if (!Double.isFinite(out[k])) {
          throw new IllegalStateException(
              file + " produced a non-finite logit (" + out[k] + ") for pair " + batch[k]);
        }
        logits[batch[k]] = out[k];
      }
    }
    List<PairScore> scores = new ArrayList<>(logits.length);
    for (int i = 0; i < logits.length; i++) {
      scores.add(new PairScore(logits[i], activation.apply(logits[i]), lengths[i]));
    }
    return scores;
  }

  /**
   * The batches this encoder runs for pairs of these token lengths (as {@link PairScore#tokens()}
   * reports them): positions into {@code lengths}, each exactly once, each batch padded to its
   * longest pair. For reports of padding ({@link TokenBatches#paddedTokens}).
   */
  public List<int[]> batches(int[] lengths) {
    Objects.requireNonNull(lengths, "lengths");
    return TokenBatches.optimal(lengths, tokenBudget, batchOverhead);
  }

  /** Runs one batch (padded to its longest row) and returns one logit per row. */
  double[] run(List<PairEncoding> rows) {
    try (ModelInputs.Tensors in = inputs.tensors(OnnxSessions.environment(), rows);
        OrtSession.Result result = lease.session().run(in.byName(), Set.of(output))) {
      OnnxValue value =
          result
              .get(output)
              .orElseThrow(() -> new IllegalStateException(file + " returned no " + output));
      if (!(value instanceof OnnxTensor tensor)) {
        throw new IllegalStateException(file + ": output " + output + " is not a tensor");
      }
      long[] shape = tensor.getInfo().getShape();
      int width = head == Head.TWO_LABELS ? 2 : 1;
      long expected = (long) rows.size() * width;
      if (shape.length == 0
          || shape[0] != rows.size()
          || tensor.getInfo().getNumElements() != expected) {
        throw new IllegalStateException(
            file
                + ": output "
                + output
                + " has shape "
                + Arrays.toString(shape)
                + " for a batch of "
                + rows.size()
                + " (expected "
                + (width == 2 ? "[batch, 2]" : "[batch, 1] or [batch]")
                + ")");
      }
      FloatBuffer buffer = tensor.getFloatBuffer();
      double[] logits = new double[rows.size()];
      for (int i = 0; i < logits.length; i++) {
        logits[i] =
            width == 2
                ? (double) buffer.get(2 * i + positive) - buffer.get(2 * i + 1 - positive)
                : buffer.get(i);
      }
      return logits;
    } catch (OrtException e) {
      throw new OnnxModelException(file, "inference failed: " + e.getMessage(), e);
    }
  }

  private int maxLength(ScoringOptions options) {
    int n = options.maxLength().orElse(tokenizer.maxLength());
    if (n > tokenizer.hardMaxLength()) {
      throw new IllegalArgumentException(
          "maxLength must be <= "
              + tokenizer.hardMaxLength()
              + " (the model's position limit) for "
              + name
              + ", got "
              + n);
    }
    return n;
  }

  private Activation activation(ScoringOptions options) {
    return options.activation().orElse(defaultActivation);
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("cross-encoder " + name + " is closed");
    }
  }

  /**
   * The tokenizer this model reads with, for callers that build {@link TokenizedPair}s; owned by
   * this encoder (do not close it).
   */
  public PairTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * Which graph ONNX Runtime runs: {@code fused (...)} with the kernels fused, or {@code original
   * (...)} with the reason none were (fusion off, no transformer block recognised, or the probe
   * check failed).
   */
  public String graph() {
    return lease.graph();
  }

  /** The session this encoder runs (for tests in this package). */
  OrtSession session() {
    return lease.session();
  }

  /** The ONNX file (or resource) being run. */
  public String onnxFile() {
    return file;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Activation defaultActivation() {
    return defaultActivation;
  }

  @Override
  public int maxLength() {
    return tokenizer.maxLength();
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
