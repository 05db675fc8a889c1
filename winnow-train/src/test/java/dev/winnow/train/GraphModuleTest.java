package dev.winnow.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.onnx.TrainableGraph;
import dev.winnow.testkit.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The training engine runs the fixture's graph as PyTorch did: the fixture's golden logits. */
class GraphModuleTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void forward_reproducesThePyTorchGoldens_aloneAndInOnePaddedBatch() throws Exception {
    Path fixture = Shared.tinyFixture();
    TrainableGraph graph =
        TrainableGraph.read(Files.readAllBytes(fixture.resolve("onnx/model.onnx")));
    List<JsonNode> goldens = new ArrayList<>();
    for (String line : Files.readAllLines(fixture.resolve("golden.jsonl"))) {
      goldens.add(JSON.readTree(line));
    }
    try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager();
        GraphModule module =
            GraphModule.of(
                graph, List.of(), Map.of(), "logits", GraphModule.Dropout.NONE, manager)) {
      double alone = 0;
      for (JsonNode g : goldens) {
        try (NDManager scope = manager.newSubManager()) {
          float logit = module.forward(scope, feeds(scope, List.of(g)), false).getFloat(0, 0);
          alone = Math.max(alone, Math.abs(logit - g.get("logit").asDouble()));
        }
      }
      double batched = 0;
      try (NDManager scope = manager.newSubManager()) {
        float[] logits = module.forward(scope, feeds(scope, goldens), false).toFloatArray();
        for (int i = 0; i < goldens.size(); i++) {
          batched = Math.max(batched, Math.abs(logits[i] - goldens.get(i).get("logit").asDouble()));
        }
      }
      // the fixture README's bound for the tiny model (its large weights amplify fp32 rounding)
      assertThat(alone).isLessThan(1e-4);
      assertThat(batched).isLessThan(1e-4);
    }
  }

  @Test
  void dropout_isPlacedWhereBertHasIt() throws Exception {
    Path fixture = Shared.tinyFixture();
    TrainableGraph graph =
        TrainableGraph.read(Files.readAllBytes(fixture.resolve("onnx/model.onnx")));
    try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager();
        GraphModule module =
            GraphModule.of(
                graph,
                List.of(),
                Map.of(),
                "logits",
                new GraphModule.Dropout(0.1f, 0.1f),
                manager)) {
      // 2 layers: 2 attention probabilities + 2 x 2 residual branches + embeddings + classifier
      assertThat(module.dropoutPoints()).isEqualTo(8);
      // untied: every weight of the exporter's deduplicated Identity copies is its own parameter
      assertThat(module.parameters()).containsKey("bert.encoder.layer.1.attention.self.query.bias");
    }
  }

  static Map<String, NDArray> feeds(NDManager scope, List<JsonNode> goldens) {
    int n = goldens.size();
    int length = 0;
    for (JsonNode g : goldens) {
      length = Math.max(length, g.get("input_ids").size());
    }
    long[] ids = new long[n * length];
    long[] mask = new long[n * length];
    long[] types = new long[n * length];
    for (int i = 0; i < n; i++) {
      JsonNode g = goldens.get(i);
      for (int j = 0; j < g.get("input_ids").size(); j++) {
        ids[i * length + j] = g.get("input_ids").get(j).asLong();
        types[i * length + j] = g.get("token_type_ids").get(j).asLong();
        mask[i * length + j] = 1;
      }
    }
    Shape shape = new Shape(n, length);
    return Map.of(
        "input_ids", scope.create(ids, shape),
        "attention_mask", scope.create(mask, shape),
        "token_type_ids", scope.create(types, shape));
  }
}
