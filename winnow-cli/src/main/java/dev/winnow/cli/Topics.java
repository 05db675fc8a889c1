package dev.winnow.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A topics file for batch search, in either form the field uses: BEIR's {@code queries.jsonl}
 * ({@code {"_id": ..., "text": ...}} per line; a name ending in {@code .jsonl} or {@code .json}) or
 * Anserini's TSV topics ({@code qid<TAB>query text} per line, any other name). Query ids keep the
 * file's order; a repeated id, an empty text or a malformed line is an {@link
 * IllegalArgumentException} naming file and line.
 */
final class Topics {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Topics() {}

  /** Query id to query text, in file order. */
  static Map<String, String> read(Path file) {
    boolean json = file.getFileName().toString().matches(".*\\.jsonl?$");
    Map<String, String> topics = new LinkedHashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        String[] topic = json ? jsonTopic(file, n, line) : tsvTopic(file, n, line);
        if (topic[1].isBlank()) {
          throw new IllegalArgumentException(
              file + " line " + n + ": query '" + topic[0] + "' has an empty text");
        }
        if (topics.put(topic[0], topic[1]) != null) {
          throw new IllegalArgumentException(
              file + " line " + n + ": query id '" + topic[0] + "' appears twice");
        }
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("topics file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read topics " + file, e);
    }
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("topics file " + file + " holds no queries");
    }
    return topics;
  }

  private static String[] tsvTopic(Path file, long n, String line) {
    int tab = line.indexOf('\t');
    if (tab <= 0) {
      throw new IllegalArgumentException(
          file + " line " + n + ": expected 'qid<TAB>query text' (Anserini TSV topics)");
    }
    return new String[] {line.substring(0, tab).trim(), line.substring(tab + 1).trim()};
  }

  private static String[] jsonTopic(Path file, long n, String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          file + " line " + n + ": invalid JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode id = node.has("_id") ? node.get("_id") : node.get("id");
    JsonNode text = node.get("text");
    if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
      throw new IllegalArgumentException(
          file + " line " + n + ": expected {\"_id\": ..., \"text\": ...} (BEIR queries.jsonl)");
    }
    if (text == null || !text.isTextual()) {
      throw new IllegalArgumentException(
          file + " line " + n + ": query '" + id.asText() + "' has no string \"text\"");
    }
    return new String[] {id.asText(), text.textValue()};
  }
}
