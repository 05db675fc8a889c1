package dev.winnow.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.api.Hit;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import dev.winnow.api.Truncation;
import dev.winnow.eval.Metric;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.onnx.PairEncoding;
import dev.winnow.onnx.PairTokenizer;
import dev.winnow.onnx.TrainableGraph;
import dev.winnow.onnx.TrainableGraph.Tensor;
import dev.winnow.pipeline.Calibration;
import dev.winnow.train.TrainingData.TrainingQuery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fine-tunes a BERT-family model into a cross-encoder on a dataset's judgments: listwise softmax
 * cross-entropy over groups of one positive and {@code negatives} hard negatives mined by Winnow's
 * own first stage (localized contrastive estimation), AdamW with linear warm-up and decay, gradient
 * clipping, dropout as the base's config says. The checkpoint kept is the one with the best
 * validation nDCG@10 of reranking the first stage; the output is a model folder every Winnow
 * command loads, checked before it is published: the exported ONNX must give the training engine's
 * logits on validation pairs within {@link #EXPORT_TOLERANCE}.
 *
 * <p>Determinism: epoch {@code e} seeds libtorch and its own sampling from {@code (seed, e)}, so
 * the same seed on the same machine gives the same weights, and a run resumed from an epoch
 * checkpoint continues exactly as if it had not stopped.
 */
public final class CrossEncoderTrainer {

  /** Largest |exported ONNX logit - training engine logit| accepted before publishing. */
  public static final double EXPORT_TOLERANCE = 1e-4;

  /** What a run is told to do; {@link #fingerprint} is what a resumed run must share. */
  public record Options(
      String base,
      Path dataset,
      String split,
      Path out,
      String firstStage,
      int depth,
      int negatives,
      double epochs,
      double lr,
      int maxLength,
      double validationFraction,
      int validationDepth,
      long seed,
      double warmup,
      double weightDecay,
      double maxGradNorm,
      int threads,
      int limitQueries) {

    public Options {
      positive("depth", depth);
      positive("negatives", negatives);
      positive("validation-depth", validationDepth);
      positive("threads", threads);
      if (!(epochs > 0) || epochs > 1000) {
        throw new IllegalArgumentException("--epochs must be in (0, 1000], got " + epochs);
      }
      if (!(lr > 0) || lr >= 1) {
        throw new IllegalArgumentException("--lr must be in (0, 1), got " + lr);
      }
      if (maxLength < 8 || maxLength > 8192) {
        throw new IllegalArgumentException("--max-length must be in [8, 8192], got " + maxLength);
      }
      if (!(warmup >= 0 && warmup < 1)) {
        throw new IllegalArgumentException("--warmup must be in [0, 1), got " + warmup);
      }
      if (limitQueries < 0) {
        throw new IllegalArgumentException("--limit-queries must be >= 0, got " + limitQueries);
      }
    }

    private static void positive(String name, int v) {
      if (v < 1) {
        throw new IllegalArgumentException("--" + name + " must be >= 1, got " + v);
      }
    }

    /** The options a checkpoint must have been made with to be resumed (not the thread count). */
    String fingerprint() {
      return String.join(
          "|",
          base,
          dataset.toAbsolutePath().normalize().toString(),
          split,
          firstStage,
          "" + depth,
          "" + negatives,
          "" + epochs,
          "" + lr,
          "" + maxLength,
          "" + validationFraction,
          "" + validationDepth,
          "" + seed,
          "" + warmup,
          "" + weightDecay,
          "" + maxGradNorm,
          "" + limitQueries);
    }
  }

  /** Hears how a run goes. */
  public interface Listener {
    void log(String line);

    void progress(long step, long totalSteps, double loss, double pairsPerSecond);
  }

  /** What a finished run reports. */
  public record Result(
      Path model,
      double bestValidationNdcg,
      double firstStageValidationNdcg,
      int bestStep,
      double exportMaxDiff,
      List<Map<String, Object>> curve) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final java.util.concurrent.atomic.AtomicBoolean INTEROP_SET =
      new java.util.concurrent.atomic.AtomicBoolean();

  private final Options o;
  private final Listener listener;
  private final Path work;
  private final Path checkpoint;

  private CrossEncoderTrainer(Options options, Listener listener) {
    this.o = options;
    this.listener = listener;
    this.work = options.out().resolveSibling(options.out().getFileName() + ".partial");
    this.checkpoint = work.resolve("checkpoint");
  }

  /** Trains, exports and publishes {@code options.out()}; resumes a matching checkpoint. */
  public static Result run(Options options, Listener listener) {
    return new CrossEncoderTrainer(options, listener).run();
  }

  private Result run() {
    refuseExistingOut();
    try {
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create work folder " + work + ": " + e.getMessage(), e);
    }
    TrainingBase base = TrainingBase.resolve(o.base(), work);
    TrainingData data =
        TrainingData.load(
            o.dataset(),
            o.split(),
            o.firstStage(),
            o.depth(),
            o.validationFraction(),
            o.seed(),
            o.limitQueries(),
            listener::log);
    listener.log(
        "queries: "
            + data.fit().size()
            + " to fit, "
            + data.validation().size()
            + " for validation ("
            + data.skippedWithoutPositives()
            + " without a positive skipped)");
    Engine engine = Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(o.threads());
    if (INTEROP_SET.compareAndSet(false, true)) {
      // libtorch takes this once per process, before any parallel work
      JniUtils.setNumInteropThreads(1);
    }
    TrainableGraph graph = TrainableGraph.read(base.onnx());
    boolean hasHead = graph.outputs().contains(Heads.LOGITS);
    Heads.Head head =
        hasHead
            ? new Heads.Head(List.of(), Map.of())
            : Heads.classification(hiddenStates(graph), base.hiddenSize(), o.seed());
    try (NDManager manager = engine.newBaseManager();
        PairTokenizer tokenizer = PairTokenizer.open(base.folder());
        GraphModule module =
            GraphModule.of(
                graph,
                head.ops(),
                head.weights(),
                Heads.LOGITS,
                new GraphModule.Dropout(base.hiddenDropout(), base.attentionDropout()),
                manager)) {
      Thread hook = interruptHook();
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        return train(base, data, graph, head, module, tokenizer, manager);
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: the loop parks
        }
      }
    }
  }

  private void refuseExistingOut() {
    Path out = o.out();
    if (Files.exists(out)) {
      try (var s = Files.list(out)) {
        if (!Files.isDirectory(out) || s.findAny().isPresent()) {
          throw new IllegalArgumentException(
              "--out " + out + " exists and is not empty; choose a new folder");
        }
        Files.delete(out);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read --out " + out + ": " + e.getMessage(), e);
      }
    }
  }

  /** The encoder output a new head reads: the graph's only 3-D float output. */
  private static String hiddenStates(TrainableGraph graph) {
    List<String> outs = graph.outputs();
    if (outs.contains("last_hidden_state")) {
      return "last_hidden_state";
    }
    if (outs.size() == 1) {
      return outs.get(0);
    }
    throw new IllegalArgumentException(
        "the base graph has outputs " + outs + "; expected last_hidden_state or logits");
  }

  private Result train(
      TrainingBase base,
      TrainingData data,
      TrainableGraph graph,
      Heads.Head head,
      GraphModule module,
      PairTokenizer tokenizer,
      NDManager manager) {
    List<Group> epochGroups = groups(data.fit(), new Random(o.seed()));
    if (epochGroups.isEmpty()) {
      throw new IllegalArgumentException(
          "no training group has a negative: the first stage found nothing but positives");
    }
    long perEpoch = epochGroups.size();
    long totalSteps = Math.max(1, Math.round(o.epochs() * perEpoch));
    long warmupSteps = Math.round(o.warmup() * totalSteps);
    AdamW adam = new AdamW(module.parameters(), o.weightDecay(), manager);
    List<Map<String, Object>> curve = new ArrayList<>();
    double firstStageNdcg = firstStageNdcg(data.validation());
    Map<String, float[]> best = null;
    double bestNdcg = Double.NEGATIVE_INFINITY;
    int bestStep = 0;
    int startEpoch = 0;

    if (Checkpoint.exists(checkpoint)) {
      ObjectNode state = readJson(Checkpoint.readState(checkpoint));
      if (!state.path("fingerprint").asText().equals(o.fingerprint())) {
        throw new IllegalArgumentException(
            "a checkpoint of a different run is at "
                + checkpoint
                + "; rerun with the same options to resume it, or delete "
                + work);
      }
      restore(module.parameters(), Checkpoint.readArrays(checkpoint.resolve("weights.bin")));
      restore(adam.m, Checkpoint.readArrays(checkpoint.resolve("adam_m.bin")));
      restore(adam.v, Checkpoint.readArrays(checkpoint.resolve("adam_v.bin")));
      adam.step = state.path("step").asLong();
      startEpoch = state.path("epoch").asInt();
      bestNdcg = state.path("best_ndcg").asDouble();
      bestStep = state.path("best_step").asInt();
      best = Checkpoint.readArrays(checkpoint.resolve("best.bin"));
      state.withArray("curve").forEach(n -> curve.add(JSON.convertValue(n, Map.class)));
      listener.log(
          "resuming from " + checkpoint + " at epoch " + startEpoch + ", step " + adam.step);
    } else {
      listener.log(
          String.format(
              "validation nDCG@10 of the %s first stage alone: %.4f",
              o.firstStage(), firstStageNdcg));
    }

    int epochs = (int) Math.ceil((double) totalSteps / perEpoch);
    long started = System.nanoTime();
    long pairsDone = 0;
    for (int epoch = startEpoch; epoch < epochs; epoch++) {
      Engine.getEngine("PyTorch").setRandomSeed((int) (o.seed() * 1_000_003L + epoch));
      Random random = new Random(o.seed() * 31 + epoch);
      List<Group> groups = groups(data.fit(), random);
      Collections.shuffle(groups, random);
      double lossSum = 0;
      int lossCount = 0;
      for (Group g : groups) {
        if (adam.step >= totalSteps) {
          break;
        }
        if (stop.get()) {
          parkForShutdown();
        }
        double lr = schedule(adam.step, warmupSteps, totalSteps);
        double loss = step(module, adam, tokenizer, g, lr, manager);
        if (!Double.isFinite(loss)) {
          throw new IllegalStateException(
              "loss became "
                  + loss
                  + " at step "
                  + adam.step
                  + "; lower --lr (now "
                  + o.lr()
                  + ")");
        }
        lossSum += loss;
        lossCount++;
        pairsDone += g.documents.size();
        double seconds = (System.nanoTime() - started) / 1e9;
        listener.progress(adam.step, totalSteps, lossSum / lossCount, pairsDone / seconds);
      }
      if (stop.get()) {
        parkForShutdown();
      }
      float[] scores = validationLogits(module, tokenizer, data.validation(), manager);
      double ndcg = validationNdcg(data.validation(), scores);
      Map<String, Object> point = new LinkedHashMap<>();
      point.put("epoch", epoch + 1);
      point.put("step", adam.step);
      point.put("loss", lossSum / Math.max(1, lossCount));
      point.put("validation_ndcg@10", ndcg);
      curve.add(point);
      listener.log(
          String.format(
              "epoch %d: step %d, loss %.4f, validation nDCG@10 %.4f (first stage %.4f)",
              epoch + 1, adam.step, lossSum / Math.max(1, lossCount), ndcg, firstStageNdcg));
      if (ndcg > bestNdcg) {
        bestNdcg = ndcg;
        bestStep = (int) adam.step;
        best = snapshot(module.parameters());
        best.put(VALIDATION_LOGITS, scores);
      }
      ObjectNode state = JSON.createObjectNode();
      state.put("fingerprint", o.fingerprint());
      state.put("epoch", epoch + 1);
      state.put("step", adam.step);
      state.put("best_ndcg", bestNdcg);
      state.put("best_step", bestStep);
      state.set("curve", JSON.valueToTree(curve));
      Map<String, Map<String, float[]>> files = new LinkedHashMap<>();
      files.put("weights.bin", snapshot(module.parameters()));
      files.put("adam_m.bin", snapshot(adam.m));
      files.put("adam_v.bin", snapshot(adam.v));
      files.put("best.bin", best);
      Checkpoint.write(checkpoint, files, state.toPrettyString());
    }

    float[] bestLogits = best.remove(VALIDATION_LOGITS);
    restore(module.parameters(), best);
    bestValidationLogits = bestLogits;
    Path model =
        export(
            base,
            data,
            graph,
            head,
            module,
            tokenizer,
            manager,
            bestNdcg,
            firstStageNdcg,
            bestStep,
            curve);
    return new Result(o.out(), bestNdcg, firstStageNdcg, bestStep, lastExportDiff, curve);
  }

  private double lastExportDiff;
  private float[] bestValidationLogits;

  /** The best weights' validation logits ride in the checkpoint's best file under this name. */
  private static final String VALIDATION_LOGITS = "winnow/validation_logits";

  private final java.util.concurrent.atomic.AtomicBoolean stop =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.concurrent.CountDownLatch parked =
      new java.util.concurrent.CountDownLatch(1);

  /**
   * On Ctrl-C or SIGTERM the JVM runs its shutdown hooks and halts; libtorch must not be mid-op
   * then (its exit handlers would pull the library out from under the training thread). So the hook
   * asks the loop to stop, and the loop parks between steps: what was interrupted is the work since
   * the last epoch checkpoint, which a rerun resumes.
   */
  private Thread interruptHook() {
    return new Thread(
        () -> {
          stop.set(true);
          try {
            if (!parked.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
              System.err.println(
                  "winnow: the training step did not end within 60 s; stopping anyway");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        },
        "winnow-train-interrupt");
  }

  private void parkForShutdown() {
    listener.log(
        "interrupted: run the same command again to resume from the last epoch checkpoint in "
            + checkpoint);
    parked.countDown();
    while (true) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException ignored) {
        // the JVM is halting
      }
    }
  }

  /** Linear warm-up to {@code lr}, then linear decay to 0 at the last step. */
  private double schedule(long step, long warmupSteps, long totalSteps) {
    if (step < warmupSteps) {
      return o.lr() * (step + 1) / warmupSteps;
    }
    return o.lr()
        * Math.max(0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
  }

  /** One positive and its sampled negatives; the positive is document 0. */
  private record Group(String query, List<String> documents) {}

  private List<Group> groups(List<TrainingQuery> fit, Random random) {
    List<Group> out = new ArrayList<>();
    for (TrainingQuery q : fit) {
      List<Hit> pool = q.negatives();
      if (pool.isEmpty()) {
        continue;
      }
      for (String positive : q.positives().values()) {
        List<Hit> shuffled = new ArrayList<>(pool);
        Collections.shuffle(shuffled, random);
        List<String> docs = new ArrayList<>();
        docs.add(positive);
        shuffled.stream().limit(o.negatives()).forEach(h -> docs.add(h.text()));
        out.add(new Group(q.query().text(), docs));
      }
    }
    return out;
  }

  private double step(
      GraphModule module,
      AdamW adam,
      PairTokenizer tokenizer,
      Group g,
      double lr,
      NDManager manager) {
    try (NDManager scope = manager.newSubManager()) {
      Map<String, NDArray> feeds = feeds(scope, encode(tokenizer, g.query, g.documents));
      double loss;
      try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray logits = module.forward(scope, feeds, true).reshape(1, g.documents.size());
        NDArray l = logits.logSoftmax(1).get(0, 0).neg();
        collector.backward(l);
        loss = l.getFloat();
      }
      adam.clip(o.maxGradNorm(), scope);
      adam.step(lr, scope);
      return loss;
    }
  }

  private List<PairEncoding> encode(PairTokenizer tokenizer, String query, List<String> documents) {
    List<PairEncoding> out = new ArrayList<>(documents.size());
    for (String d : documents) {
      out.add(tokenizer.encode(query, d, o.maxLength(), Truncation.LONGEST_FIRST));
    }
    return out;
  }

  /** Right-padded {@code input_ids}, {@code attention_mask} and {@code token_type_ids}. */
  private static Map<String, NDArray> feeds(NDManager scope, List<PairEncoding> pairs) {
    int n = pairs.size();
    int length = pairs.stream().mapToInt(PairEncoding::length).max().orElse(1);
    long[] ids = new long[n * length];
    long[] mask = new long[n * length];
    long[] types = new long[n * length];
    for (int i = 0; i < n; i++) {
      PairEncoding p = pairs.get(i);
      for (int j = 0; j < p.length(); j++) {
        ids[i * length + j] = p.inputIds()[j];
        types[i * length + j] = p.tokenTypeIds()[j];
        mask[i * length + j] = 1;
      }
    }
    Shape shape = new Shape(n, length);
    Map<String, NDArray> feeds = new HashMap<>();
    feeds.put("input_ids", scope.create(ids, shape));
    feeds.put("attention_mask", scope.create(mask, shape));
    feeds.put("token_type_ids", scope.create(types, shape));
    return feeds;
  }

  /** The training engine's logits, dropout off, in batches of similar length. */
  private float[] logits(
      GraphModule module, PairTokenizer tokenizer, List<TextPair> pairs, NDManager manager) {
    JniUtils.setGradMode(false);
    List<PairEncoding> encoded = new ArrayList<>(pairs.size());
    for (TextPair p : pairs) {
      encoded.add(
          tokenizer.encode(p.query(), p.document(), o.maxLength(), Truncation.LONGEST_FIRST));
    }
    Integer[] order = new Integer[pairs.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, Comparator.comparingInt(i -> encoded.get(i).length()));
    float[] out = new float[pairs.size()];
    int batch = 16;
    for (int start = 0; start < order.length; start += batch) {
      List<PairEncoding> chunk = new ArrayList<>();
      for (int k = start; k < Math.min(order.length, start + batch); k++) {
        chunk.add(encoded.get(order[k]));
      }
      try (NDManager scope = manager.newSubManager()) {
        float[] l = module.forward(scope, feeds(scope, chunk), false).toFloatArray();
        for (int k = 0; k < chunk.size(); k++) {
          out[order[start + k]] = l[k];
        }
      }
    }
    return out;
  }

  /** The validation pairs' logits, in query order then first-stage order. */
  private float[] validationLogits(
      GraphModule module,
      PairTokenizer tokenizer,
      List<TrainingQuery> validation,
      NDManager manager) {
    List<TextPair> pairs = new ArrayList<>();
    for (TrainingQuery q : validation) {
      for (Hit h : head(q)) {
        pairs.add(new TextPair(q.query().text(), h.text()));
      }
    }
    return logits(module, tokenizer, pairs, manager);
  }

  /** nDCG@10 of reranking each validation query's list by {@code scores}. */
  private double validationNdcg(List<TrainingQuery> validation, float[] scores) {
    double sum = 0;
    int at = 0;
    for (TrainingQuery q : validation) {
      List<Hit> hits = head(q);
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < hits.size(); i++) {
        idx.add(i);
      }
      final int base = at;
      idx.sort(
          Comparator.comparingDouble((Integer i) -> -scores[base + i]).thenComparingInt(i -> i));
      sum += Metric.NDCG_10.compute(idx.stream().map(i -> hits.get(i).id()).toList(), q.judged());
      at += hits.size();
    }
    return sum / validation.size();
  }

  private double firstStageNdcg(List<TrainingQuery> validation) {
    double sum = 0;
    for (TrainingQuery q : validation) {
      sum += Metric.NDCG_10.compute(head(q).stream().map(Hit::id).toList(), q.judged());
    }
    return sum / validation.size();
  }

  private List<Hit> head(TrainingQuery q) {
    return q.candidates().subList(0, Math.min(o.validationDepth(), q.candidates().size()));
  }

  // ---- export ----

  private Path export(
      TrainingBase base,
      TrainingData data,
      TrainableGraph graph,
      Heads.Head head,
      GraphModule module,
      PairTokenizer tokenizer,
      NDManager manager,
      double bestNdcg,
      double firstStageNdcg,
      int bestStep,
      List<Map<String, Object>> curve) {
    Path staged = work.resolve("model");
    try {
      Checkpoint.deleteTree(staged);
      Files.createDirectories(staged.resolve("onnx"));
      Map<String, Tensor> weights = new LinkedHashMap<>(module.weights());
      head.weights().values().stream()
          .filter(t -> t.longs() != null)
          .forEach(t -> weights.put(t.name(), t));
      Map<String, Long[]> outputs = new LinkedHashMap<>();
      outputs.put(Heads.LOGITS, new Long[] {null, 1L});
      byte[] onnx = graph.write(weights, head.ops(), outputs);
      Files.write(staged.resolve("onnx").resolve("model.onnx"), onnx);
      for (Path f : base.tokenizerFiles()) {
        Files.copy(
            f, staged.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
      }
      ObjectNode config = base.config().deepCopy();
      config.putArray("architectures").add("BertForSequenceClassification");
      config.putObject("id2label").put("0", "LABEL_0");
      config.putObject("label2id").put("LABEL_0", 0);
      config.put("num_labels", 1);
      config
          .putObject("sentence_transformers")
          .put("activation_fn", "torch.nn.modules.activation.Sigmoid");
      config.remove("_fixture");
      JSON.writerWithDefaultPrettyPrinter()
          .writeValue(staged.resolve("config.json").toFile(), config);

      lastExportDiff = checkExport(staged, module, tokenizer, data, manager);
      listener.log(
          String.format(
              "exported ONNX reproduces the training engine: max |diff| %.2e on validation pairs",
              lastExportDiff));
      Calibration calibration = calibration(data);
      calibration.write(staged.resolve(Calibration.FILE_NAME));
      ObjectNode log = JSON.createObjectNode();
      log.put("base", base.name());
      log.put("dataset", o.dataset().toString());
      log.put("split", o.split());
      log.put("fit_queries", data.fit().size());
      log.put("validation_queries", data.validation().size());
      ArrayNode ids = log.putArray("validation_query_ids");
      data.validation().forEach(q -> ids.add(q.query().id()));
      log.set("options", JSON.valueToTree(optionsMap()));
      log.put("first_stage_validation_ndcg@10", firstStageNdcg);
      log.put("best_validation_ndcg@10", bestNdcg);
      log.put("best_step", bestStep);
      log.put("export_max_abs_diff", lastExportDiff);
      log.set("curve", JSON.valueToTree(curve));
      JSON.writerWithDefaultPrettyPrinter()
          .writeValue(staged.resolve("train_log.json").toFile(), log);
      Files.writeString(
          staged.resolve("README.md"),
          ModelCard.write(
              base.name(), o, data, firstStageNdcg, bestNdcg, bestStep, lastExportDiff, curve));
      Files.move(staged, o.out(), StandardCopyOption.ATOMIC_MOVE);
      Checkpoint.deleteTree(work);
      return o.out();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the trained model: " + e.getMessage(), e);
    }
  }

  /** Platt and isotonic fits on the best weights' validation logits, labelled by the qrels. */
  private Calibration calibration(TrainingData data) {
    List<Integer> labels = new ArrayList<>();
    for (TrainingQuery q : data.validation()) {
      for (Hit h : head(q)) {
        labels.add(q.judged().getOrDefault(h.id(), 0) > 0 ? 1 : 0);
      }
    }
    double[] x = new double[labels.size()];
    int[] y = new int[labels.size()];
    for (int i = 0; i < y.length; i++) {
      x[i] = bestValidationLogits[i];
      y[i] = labels.get(i);
    }
    return Calibration.fit(
        x,
        y,
        String.format(
            "%d validation pairs (%d queries of %s split %s, %s top %d)",
            y.length,
            data.validation().size(),
            o.dataset().getFileName(),
            o.split(),
            o.firstStage(),
            o.validationDepth()));
  }

  Map<String, Object> optionsMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("first_stage", o.firstStage());
    m.put("depth", o.depth());
    m.put("negatives", o.negatives());
    m.put("epochs", o.epochs());
    m.put("lr", o.lr());
    m.put("max_length", o.maxLength());
    m.put("validation_fraction", o.validationFraction());
    m.put("validation_depth", o.validationDepth());
    m.put("seed", o.seed());
    m.put("warmup", o.warmup());
    m.put("weight_decay", o.weightDecay());
    m.put("max_grad_norm", o.maxGradNorm());
    return m;
  }

  /** The exported model through the serving engine against the training engine. */
  private double checkExport(
      Path staged,
      GraphModule module,
      PairTokenizer tokenizer,
      TrainingData data,
      NDManager manager) {
    List<TextPair> pairs = new ArrayList<>();
    for (TrainingQuery q : data.validation()) {
      for (Hit h : head(q)) {
        if (pairs.size() < 64) {
          pairs.add(new TextPair(q.query().text(), h.text()));
        }
      }
    }
    float[] trained = logits(module, tokenizer, pairs, manager);
    try (OnnxCrossEncoder served = OnnxCrossEncoder.open(ModelFolder.open(staged))) {
      List<PairScore> scores =
          served.scorePairs(pairs, ScoringOptions.DEFAULTS.withMaxLength(o.maxLength()));
      double max = 0;
      for (int i = 0; i < pairs.size(); i++) {
        max = Math.max(max, Math.abs(scores.get(i).logit() - trained[i]));
      }
      if (max > EXPORT_TOLERANCE) {
        throw new IllegalStateException(
            String.format(
                "the exported ONNX differs from the training engine by %.3g (allowed %.0e) on"
                    + " validation pairs; the model is not published (staged at %s)",
                max, EXPORT_TOLERANCE, staged));
      }
      return max;
    }
  }

  private static Map<String, float[]> snapshot(Map<String, NDArray> arrays) {
    Map<String, float[]> out = new LinkedHashMap<>();
    arrays.forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  private static void restore(Map<String, NDArray> arrays, Map<String, float[]> values) {
    arrays.forEach(
        (k, v) -> {
          float[] x = values.get(k);
          if (x == null || x.length != v.size()) {
            throw new IllegalStateException("checkpoint has no matching values for " + k);
          }
          v.set(x);
        });
  }

  private static ObjectNode readJson(String s) {
    try {
      return (ObjectNode) JSON.readTree(s);
    } catch (IOException e) {
      throw new UncheckedIOException("checkpoint state is not JSON", e);
    }
  }
}
