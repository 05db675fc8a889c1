package dev.winnow.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.winnow.onnx.TrainableGraph;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The training step of {@code winnow train cross-encoder} timed alone, for {@code
 * bench/train-speed.sh}: the bundled all-MiniLM-L6-v2 graph with a fresh head, one group of {@code
 * --group} pairs of {@code --length} random tokens per step (forward, listwise loss, backward,
 * clipping, AdamW). Prints {@code winnow pairs/s X cpu-s/pair Y}.
 */
public final class TrainingThroughput {

  private TrainingThroughput() {}

  public static void main(String[] args) throws Exception {
    int threads = 2;
    int group = 8;
    int length = 256;
    int steps = 8;
    int warmup = 2;
    for (int i = 0; i + 1 < args.length; i += 2) {
      int v = Integer.parseInt(args[i + 1]);
      switch (args[i]) {
        case "--threads" -> threads = v;
        case "--group" -> group = v;
        case "--length" -> length = v;
        case "--steps" -> steps = v;
        case "--warmup" -> warmup = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("winnow-train-speed");
    TrainingBase base = TrainingBase.resolve("all-minilm-l6-v2", work);
    TrainableGraph graph = TrainableGraph.read(base.onnx());
    Heads.Head head = Heads.classification("last_hidden_state", base.hiddenSize(), 1);
    Engine engine = Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(threads);
    JniUtils.setNumInteropThreads(1);
    Random random = new Random(1);
    try (NDManager m = engine.newBaseManager();
        GraphModule module =
            GraphModule.of(
                graph,
                head.ops(),
                head.weights(),
                Heads.LOGITS,
                new GraphModule.Dropout(0.1f, 0.1f),
                m)) {
      AdamW adam = new AdamW(module.parameters(), 0.01, m);
      long wall0 = 0;
      long cpu0 = 0;
      for (int s = 0; s < warmup + steps; s++) {
        if (s == warmup) {
          wall0 = System.nanoTime();
          cpu0 = cpu();
        }
        try (NDManager scope = m.newSubManager()) {
          long[] ids = new long[group * length];
          long[] mask = new long[group * length];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = 1000 + random.nextInt(20000);
            mask[i] = 1;
          }
          Shape shape = new Shape(group, length);
          Map<String, NDArray> feeds =
              Map.of(
                  "input_ids", scope.create(ids, shape),
                  "attention_mask", scope.create(mask, shape),
                  "token_type_ids", scope.zeros(shape, DataType.INT64));
          try (GradientCollector collector = engine.newGradientCollector()) {
            NDArray logits = module.forward(scope, feeds, true).reshape(1, group);
            collector.backward(logits.logSoftmax(1).get(0, 0).neg());
          }
          adam.clip(1.0, scope);
          adam.step(3e-5, scope);
        }
      }
      double wall = (System.nanoTime() - wall0) / 1e9;
      double cpu = (cpu() - cpu0) / 1e9;
      int pairs = steps * group;
      System.out.printf(
          Locale.ROOT,
          "winnow libtorch %s pairs/s %.3f cpu-s/pair %.3f%n",
          engine.getVersion(),
          pairs / wall,
          cpu / pairs);
    } finally {
      Checkpoint.deleteTree(work);
    }
  }

  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
