package dev.winnow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The BEIR SciFact files the benchmarks read: the corpus (id, title, text, in file order), the
 * queries and the ids of the test split's queries (from {@code qrels/test.tsv}, in file order).
 */
public record SciFact(Map<String, Doc> corpus, Map<String, String> queries, List<String> testIds) {

  /** One corpus document; {@link #body()} is what every reranker reads: title, space, text. */
  public record Doc(String id, String title, String text) {
    public String body() {
      return title.isEmpty() ? text : title + " " + text;
    }
  }

  public static SciFact load(Path dir) {
    ObjectMapper json = new ObjectMapper();
    Map<String, Doc> corpus = new LinkedHashMap<>();
    Map<String, String> queries = new LinkedHashMap<>();
    Set<String> test = new LinkedHashSet<>();
    try {
      for (JsonNode n : lines(json, dir.resolve("corpus.jsonl"))) {
        String id = n.path("_id").asText();
        corpus.put(id, new Doc(id, n.path("title").asText(""), n.path("text").asText("")));
      }
      for (JsonNode n : lines(json, dir.resolve("queries.jsonl"))) {
        queries.put(n.path("_id").asText(), n.path("text").asText());
      }
      List<String> rows = Files.readAllLines(dir.resolve("qrels/test.tsv"), StandardCharsets.UTF_8);
      for (String row : rows.subList(1, rows.size())) {
        if (!row.isBlank()) {
          test.add(row.split("\t", -1)[0]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read SciFact from " + dir, e);
    }
    if (corpus.isEmpty() || test.isEmpty()) {
      throw new IllegalArgumentException("no SciFact corpus or test qrels under " + dir);
    }
    for (String id : test) {
      if (!queries.containsKey(id)) {
        throw new IllegalArgumentException("test query " + id + " missing from queries.jsonl");
      }
    }
    return new SciFact(corpus, queries, List.copyOf(test));
  }

  private static List<JsonNode> lines(ObjectMapper json, Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          out.add(json.readTree(line));
        }
      }
    }
    return out;
  }
}
