package dev.winnow.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.winnow.api.LateInteractionEncoder;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.TokenVectors;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A late-interaction (ColBERT) encoder run by ONNX Runtime from a checkpoint in the Stanford
 * ColBERT layout ({@link ColbertSettings}): the graph maps {@code input_ids} and {@code
 * attention_mask} to one projected vector per token ({@code last_hidden_state} or {@code
 * token_embeddings}, float {@code [batch, sequence, dim]}), and this class does the rest as
 * ColBERT's {@code QueryTokenizer}/{@code DocTokenizer} and {@code colbert.query/doc} do:
 *
 * <ul>
 *   <li><b>Query</b>: {@code ". " + text} is tokenized, cut to {@code query_maxlen} tokens with
 *       {@code [CLS]} and {@code [SEP]}, the {@code "."} at position 1 becomes the query marker,
 *       and the rest is padded with {@code [MASK]} to exactly {@code query_maxlen} (query
 *       augmentation). The padding gets attention mask 0 unless {@code attend_to_mask_tokens}; all
 *       {@code query_maxlen} vectors are returned either way.
 *   <li><b>Document</b>: {@code ". " + text}, cut to {@code doc_maxlen} tokens (the documented rule
 *       for long documents: the rest is not read), position 1 becomes the document marker, no
 *       padding. With {@code mask_punctuation} the vectors of punctuation tokens (the first token
 *       id of each character of Python's {@code string.punctuation}) are dropped.
 *   <li>Every vector is L2-normalised (as {@code torch.nn.functional.normalize}).
 * </ul>
 *
 * Texts are sorted by length and cut into batches of one length within {@link
 * Options#tokenBudget()} tokens ({@link TokenBatches#optimal} with no per-batch overhead), so
 * document batches are unpadded and, with {@link Options#fuseKernels()}, take ONNX Runtime's flash
 * attention; every query has {@code query_maxlen} tokens. The graph is fused as {@link
 * OnnxBiEncoder}'s is, checked at load on padded, unpadded and query-augmented batches.
 *
 * <p>Thread-safe: any number of threads may encode at once on one shared ONNX Runtime session.
 * Close once, when no call is running.
 */
public final class OnnxLateInteraction implements LateInteractionEncoder {

  /**
   * How the encoder is opened.
   *
   * @param name the short name used in provenance, e.g. the folder name
   * @param variant the ONNX file ({@link ModelFolder#open(Path, String)})
   * @param threads ONNX Runtime intra-op threads
   * @param tokenBudget most tokens per batch
   * @param fuseKernels run ONNX Runtime's fused attention and skip-layer-norm kernels (checked
   *     against the original graph at load)
   */
  public record Options(
      String name, String variant, int threads, int tokenBudget, boolean fuseKernels) {

    /** Batches of at most this many tokens by default. */
    public static final int DEFAULT_TOKEN_BUDGET = 8192;

    public Options {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(variant, "variant");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + threads);
      }
      if (tokenBudget < 16) {
        throw new IllegalArgumentException("tokenBudget must be >= 16, got " + tokenBudget);
      }
    }

    /** The default ONNX file, all processors, default budget, fused kernels. */
    public static Options of(String name) {
      return new Options(
          name,
          ModelFolder.DEFAULT_VARIANT,
          Runtime.getRuntime().availableProcessors(),
          DEFAULT_TOKEN_BUDGET,
          true);
    }

    public Options withVariant(String v) {
      return new Options(name, v, threads, tokenBudget, fuseKernels);
    }

    public Options withThreads(int n) {
      return new Options(name, variant, n, tokenBudget, fuseKernels);
    }

    public Options withTokenBudget(int n) {
      return new Options(name, variant, threads, n, fuseKernels);
    }

    public Options withFusedKernels(boolean fuse) {
      return new Options(name, variant, threads, tokenBudget, fuse);
    }
  }

  /** Python's {@code string.punctuation}: ColBERT's document skiplist. */
  static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  /** One text ready for the graph: its ids, how many are attended to, which vectors are kept. */
  record Row(PairEncoding encoding, int attended, boolean[] kept) {}

  private final Options options;
  private final ColbertSettings settings;
  private final PairTokenizer tokenizer;
  private final Ids ids;
  private final OnnxSessions.Lease lease;
  private final ModelInputs inputs;
  private final String output;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** The special ids the encoder writes, resolved once from the vocabulary. */
  private record Ids(long queryMarker, long documentMarker, long mask, Set<Long> punctuation) {}

  private OnnxLateInteraction(
      Options options,
      ColbertSettings settings,
      PairTokenizer tokenizer,
      Ids ids,
      OnnxSessions.Lease lease,
      ModelInputs inputs,
      String output) {
    this.options = options;
    this.settings = settings;
    this.tokenizer = tokenizer;
    this.ids = ids;
    this.lease = lease;
    this.inputs = inputs;
    this.output = output;
  }

  /** Opens the checkpoint at {@code root} with default options named after the folder. */
  public static OnnxLateInteraction open(Path root) {
    return open(root, Options.of(String.valueOf(root.toAbsolutePath().normalize().getFileName())));
  }

  /**
   * Opens the checkpoint at {@code root}: its settings ({@link ColbertSettings#read}, which names
   * what it found when the layout is unknown), tokenizer and ONNX graph, whose output dimension
   * must equal the checkpoint's {@code dim}.
   */
  public static OnnxLateInteraction open(Path root, Options options) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(options, "options");
    ColbertSettings settings = ColbertSettings.read(root);
    ModelFolder folder = ModelFolder.open(root, options.variant());
    PairTokenizer tokenizer = PairTokenizer.open(folder);
    OnnxSessions.Lease lease = null;
    try {
      for (int length : List.of(settings.queryMaxLength(), settings.documentMaxLength())) {
        if (length > tokenizer.hardMaxLength()) {
          throw new IllegalArgumentException(
              root.resolve(ColbertSettings.METADATA)
                  + ": query_maxlen and doc_maxlen must be <= "
                  + tokenizer.hardMaxLength()
                  + " (the model's positions), got "
                  + length);
        }
      }
      Ids ids = ids(tokenizer, settings, root);
      Supplier<OnnxSessions.Lease> session =
          () ->
              OnnxSessions.open(
                  folder.onnx(),
                  options.threads(),
                  options.fuseKernels()
                      ? Optional.of(probe(tokenizer, settings, ids))
                      : Optional.empty());
      lease = session.get();
      ModelInputs inputs = ModelInputs.validate(lease.session(), lease.label());
      String output = OnnxBiEncoder.chooseOutput(lease.session(), lease.label());
      checkDimension(lease, output, settings);
      return new OnnxLateInteraction(options, settings, tokenizer, ids, lease, inputs, output);
    } catch (RuntimeException e) {
      if (lease != null) {
        lease.close();
      }
      tokenizer.close();
      throw e;
    }
  }

  private static Ids ids(PairTokenizer tokenizer, ColbertSettings settings, Path root) {
    Vocabulary v = tokenizer.vocabulary();
    String file = root.resolve(ColbertSettings.METADATA).toString();
    long q = need(v, settings.queryMarker(), file, "query_token_id");
    long d = need(v, settings.documentMarker(), file, "doc_token_id");
    long mask = need(v, "[MASK]", tokenizer.source(), "the mask token");
    Set<Long> punctuation = new HashSet<>();
    if (settings.maskPunctuation()) {
      for (int i = 0; i < PUNCTUATION.length(); i++) {
        int[] t = tokenizer.tokenize(String.valueOf(PUNCTUATION.charAt(i)));
        if (t.length > 0) {
          punctuation.add((long) t[0]);
        }
      }
    }
    return new Ids(q, d, mask, Set.copyOf(punctuation));
  }

  private static long need(Vocabulary v, String token, String file, String field) {
    return v.id(token)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    file + ": " + field + " '" + token + "' is not in the tokenizer's vocabulary"));
  }

  private static void checkDimension(
      OnnxSessions.Lease lease, String output, ColbertSettings settings) {
    try {
      long[] shape =
          ((TensorInfo) lease.session().getOutputInfo().get(output).getInfo()).getShape();
      long dim = shape[2];
      if (dim > 0 && dim != settings.dimension()) {
        throw ModelInputs.mismatch(
            lease.session(),
            lease.label(),
            "output '"
                + output
                + "' has "
                + dim
                + " dimensions but artifact.metadata says dim "
                + settings.dimension()
                + " (Winnow needs the projection inside the graph)");
      }
    } catch (OrtException e) {
      throw new OnnxModelException(lease.label(), "cannot read the outputs: " + e.getMessage(), e);
    }
  }

  /**
   * The load-time check of a fused graph: the probe texts as documents in a padded batch of three
   * and an unpadded one of two, then as queries (with their {@code [MASK]} padding), comparing
   * every normalised vector served.
   */
  private static OnnxSessions.Probe probe(
      PairTokenizer tokenizer, ColbertSettings settings, Ids ids) {
    List<String> texts = OnnxSessions.Probe.TEXTS;
    List<Row> docs = rows(tokenizer, settings, ids, texts, false);
    int shorter = Math.min(docs.get(3).encoding().length(), docs.get(4).encoding().length());
    List<Row> cut = new ArrayList<>();
    for (Row r : docs.subList(3, 5)) {
      long[] i = Arrays.copyOf(r.encoding().inputIds(), shorter);
      cut.add(
          new Row(
              new PairEncoding(i, new long[shorter], shorter - 2, 0),
              shorter,
              Arrays.copyOf(r.kept(), shorter)));
    }
    List<List<Row>> batches =
        List.of(docs.subList(0, 3), cut, rows(tokenizer, settings, ids, texts, true));
    return session -> {
      String file = "probe";
      ModelInputs in = ModelInputs.validate(session, file);
      String out = OnnxBiEncoder.chooseOutput(session, file);
      List<Float> values = new ArrayList<>();
      for (List<Row> batch : batches) {
        for (TokenVectors v : run(session, in, out, file, batch, Optional.empty())) {
          for (float f : v.values()) {
            values.add(f);
          }
        }
      }
      float[] flat = new float[values.size()];
      for (int i = 0; i < flat.length; i++) {
        flat[i] = values.get(i);
      }
      return flat;
    };
  }

  @Override
  public List<TokenVectors> encodeQueries(List<String> queries) {
    return encode(queries, true);
  }

  @Override
  public List<TokenVectors> encodeDocuments(List<String> documents) {
    return encode(documents, false);
  }

  private List<TokenVectors> encode(List<String> texts, boolean query) {
    Objects.requireNonNull(texts, "texts");
    if (closed.get()) {
      throw new IllegalStateException("encoder " + options.name() + " is closed");
    }
    if (texts.isEmpty()) {
      return List.of();
    }
    List<Row> rows = rows(tokenizer, settings, ids, texts, query);
    int[] lengths = new int[rows.size()];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = rows.get(i).encoding().length();
    }
    TokenVectors[] out = new TokenVectors[rows.size()];
    for (int[] batch : TokenBatches.optimal(lengths, options.tokenBudget(), 0)) {
      List<Row> part = new ArrayList<>(batch.length);
      for (int i : batch) {
        part.add(rows.get(i));
      }
      List<TokenVectors> vectors = run(part);
      for (int k = 0; k < batch.length; k++) {
        out[batch[k]] = vectors.get(k);
      }
    }
    return List.of(out);
  }

  /** The MaxSim of each document against {@code query}, in input order. */
  public double[] score(String query, List<String> documents) {
    Objects.requireNonNull(query, "query");
    TokenVectors q = encodeQueries(List.of(query)).get(0);
    List<TokenVectors> docs = encodeDocuments(documents);
    double[] out = new double[docs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = MaxSim.score(q, MaxSim.prepare(docs.get(i)));
    }
    return out;
  }

  /**
   * Ranks documents (ids parallel to texts) by MaxSim, best first ({@link RankedDocument#ORDER}),
   * and keeps the best {@code topN}; the MaxSim is both the logit and the score.
   */
  public List<RankedDocument> rerank(String query, List<String> ids, List<String> texts, int topN) {
    if (topN < 1) {
      throw new IllegalArgumentException("topN must be >= 1, got " + topN);
    }
    if (ids.size() != texts.size()) {
      throw new IllegalArgumentException(
          "ids and texts must have the same size, got " + ids.size() + " and " + texts.size());
    }
    double[] scores = score(query, texts);
    List<RankedDocument> ranked = new ArrayList<>(scores.length);
    for (int i = 0; i < scores.length; i++) {
      ranked.add(new RankedDocument(i, ids.get(i), scores[i], scores[i]));
    }
    ranked.sort(RankedDocument.ORDER);
    return List.copyOf(ranked.subList(0, Math.min(topN, ranked.size())));
  }

  /** Runs {@code texts} as one padded batch, in input order (for tests of batch invariance). */
  List<TokenVectors> encodeAsOneBatch(List<String> texts, boolean query) {
    return run(rows(tokenizer, settings, ids, texts, query));
  }

  /** The model input of each text, as the class javadoc describes. */
  private static List<Row> rows(
      PairTokenizer tokenizer, ColbertSettings settings, Ids ids, List<String> texts, boolean q) {
    int maxLength = q ? settings.queryMaxLength() : settings.documentMaxLength();
    List<String> prefixed = new ArrayList<>(texts.size());
    for (String t : texts) {
      prefixed.add(". " + Objects.requireNonNull(t, "text"));
    }
    List<int[]> tokenized = tokenizer.tokenizeAll(prefixed, PairTokenizer.pairCharCap(maxLength));
    List<Row> rows = new ArrayList<>(texts.size());
    for (int[] t : tokenized) {
      PairEncoding e = tokenizer.encodeSingle(t, maxLength);
      long[] inputIds = e.inputIds();
      if (inputIds.length > 1 && e.queryKept() > 0) {
        inputIds[1] = q ? ids.queryMarker() : ids.documentMarker();
      }
      int real = inputIds.length;
      if (q) {
        inputIds = Arrays.copyOf(inputIds, maxLength);
        Arrays.fill(inputIds, real, maxLength, ids.mask());
        e = new PairEncoding(inputIds, new long[maxLength], e.queryKept(), 0);
      }
      boolean[] kept = new boolean[inputIds.length];
      for (int i = 0; i < kept.length; i++) {
        kept[i] = q || !ids.punctuation().contains(inputIds[i]);
      }
      int attended = q && !settings.attendToMaskTokens() ? real : inputIds.length;
      rows.add(new Row(e, attended, kept));
    }
    return rows;
  }

  private List<TokenVectors> run(List<Row> rows) {
    return run(
        lease.session(), inputs, output, lease.label(), rows, Optional.of(tokenizer.vocabulary()));
  }

  private static List<TokenVectors> run(
      OrtSession session,
      ModelInputs inputs,
      String output,
      String file,
      List<Row> rows,
      Optional<Vocabulary> vocabulary) {
    List<PairEncoding> encodings = new ArrayList<>(rows.size());
    int[] attended = new int[rows.size()];
    for (int i = 0; i < attended.length; i++) {
      encodings.add(rows.get(i).encoding());
      attended[i] = rows.get(i).attended();
    }
    try (ModelInputs.Tensors in = inputs.tensors(OnnxSessions.environment(), encodings, attended);
        OrtSession.Result result = session.run(in.byName(), Set.of(output))) {
      OnnxTensor tensor = in.tokenOutput(result, output, file, rows.size());
      int width = in.width();
      int dim = Math.toIntExact(tensor.getInfo().getShape()[2]);
      FloatBuffer h = tensor.getFloatBuffer();
      List<TokenVectors> out = new ArrayList<>(rows.size());
      for (int b = 0; b < rows.size(); b++) {
        out.add(vectors(h, b, width, dim, rows.get(b), vocabulary, file));
      }
      return out;
    } catch (OrtException e) {
      throw new OnnxModelException(file, "inference failed: " + e.getMessage(), e);
    }
  }

  /** The kept, L2-normalised vectors of one row. */
  private static TokenVectors vectors(
      FloatBuffer h,
      int row,
      int width,
      int dim,
      Row r,
      Optional<Vocabulary> vocabulary,
      String file) {
    long[] inputIds = r.encoding().inputIds();
    int kept = 0;
    for (boolean k : r.kept()) {
      kept += k ? 1 : 0;
    }
    float[] values = new float[kept * dim];
    List<String> tokens = new ArrayList<>(kept);
    int at = 0;
    for (int t = 0; t < inputIds.length; t++) {
      if (!r.kept()[t]) {
        continue;
      }
      int base = (row * width + t) * dim;
      double norm = 0;
      for (int j = 0; j < dim; j++) {
        double x = h.get(base + j);
        norm += x * x;
      }
      norm = Math.sqrt(norm);
      if (!Double.isFinite(norm)) {
        throw new IllegalStateException(file + " produced a non-finite token vector");
      }
      double scale = 1.0 / Math.max(norm, 1e-12);
      for (int j = 0; j < dim; j++) {
        values[at * dim + j] = (float) (h.get(base + j) * scale);
      }
      long id = inputIds[t];
      tokens.add(vocabulary.map(v -> v.token(id)).orElse(""));
      at++;
    }
    return new TokenVectors(values, dim, tokens);
  }

  /** What the model reads for each text: ids, attended tokens, kept vectors (for tests). */
  List<Row> rows(List<String> texts, boolean query) {
    return rows(tokenizer, settings, ids, texts, query);
  }

  /** The checkpoint's settings. */
  public ColbertSettings settings() {
    return settings;
  }

  @Override
  public int dimension() {
    return settings.dimension();
  }

  @Override
  public String name() {
    return options.name();
  }

  public Options options() {
    return options;
  }

  /** Which graph runs: {@code fused (...)} or {@code original (...)}, as for the bi-encoder. */
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
