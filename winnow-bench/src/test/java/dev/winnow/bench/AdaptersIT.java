package dev.winnow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.testkit.Shared;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every in-process implementation, fed through the one adapter, reproduces the tiny fixture's
 * PyTorch logits: the comparison's baselines are configured right (raw logits, token types fed, the
 * same truncation), so a speed difference is never a different computation.
 */
class AdaptersIT {

  // DJL first: its ONNX Runtime engine creates the process's OrtEnvironment with its own thread
  // pool settings and fails ("one already exists") if anything else created it before.
  @ParameterizedTest
  @ValueSource(strings = {"djl", "winnow", "naive-ort", "langchain4j"})
  void score_reproducesGoldenLogits(String impl) throws IOException {
    Path dir = Shared.tinyFixture();
    Map<String, List<JsonNode>> byQuery = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(dir.resolve("golden.jsonl"), StandardCharsets.UTF_8)) {
      JsonNode g = json.readTree(line);
      // Whitespace-only documents are left out: DJL's batch encoder and langchain4j reject none,
      // but the comparison never sends them, and their tokenization is the engine's own test.
      if (g.path("max_length").asInt() == 512 && !g.path("document").asText().isBlank()) {
        byQuery.computeIfAbsent(g.path("query").asText(), q -> new ArrayList<>()).add(g);
      }
    }
    assertThat(byQuery).isNotEmpty();
    int checked = 0;
    try (PairScorerAdapter a = Adapters.create(impl, new BenchModel(dir, "fp32", 512, 1))) {
      assertThat(a.name()).isEqualTo(impl);
      for (Map.Entry<String, List<JsonNode>> e : byQuery.entrySet()) {
        List<String> docs = new ArrayList<>();
        e.getValue().forEach(g -> docs.add(g.path("document").asText()));
        float[] logits = a.score(e.getKey(), docs).logits();
        for (int i = 0; i < logits.length; i++) {
          JsonNode g = e.getValue().get(i);
          assertThat((double) logits[i])
              .as("%s on golden %s", impl, g.path("id").asText())
              .isCloseTo(g.path("logit").asDouble(), within(1e-4));
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(20);
  }
}
