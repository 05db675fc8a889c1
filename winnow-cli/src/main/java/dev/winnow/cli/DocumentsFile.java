package dev.winnow.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the documents of a CLI command: JSONL with one object per line ({@code id} or {@code _id},
 * {@code text}, optional {@code title} prepended to the text with a space; without an id the
 * 1-based line number is the id), or plain text with one document per line (ids are line numbers).
 *
 * <p>The format is JSONL for {@code .jsonl}/{@code .ndjson} files, plain text for {@code .txt}, and
 * otherwise JSONL when the first line is a JSON object. Blank lines, malformed JSON, a missing
 * {@code text} and duplicate ids are errors naming the file and line.
 */
final class DocumentsFile {

  /** One document: its id and the text the model reads. */
  record Entry(String id, String text) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private DocumentsFile() {}

  static List<Entry> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--docs " + file + " is not a readable file");
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --docs " + file, e);
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("--docs " + file + " has no documents");
    }
    boolean jsonl = isJsonl(file, lines.get(0));
    List<Entry> out = new ArrayList<>(lines.size());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int number = i + 1;
      if (line.isBlank()) {
        throw new IllegalArgumentException(
            file + " line " + number + " is blank; every line must be one document");
      }
      Entry e = jsonl ? parse(file, number, line) : new Entry(Integer.toString(number), line);
      if (!ids.add(e.id())) {
        throw new IllegalArgumentException(
            file + " line " + number + ": duplicate id '" + e.id() + "'");
      }
      out.add(e);
    }
    return out;
  }

  private static boolean isJsonl(Path file, String firstLine) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return true;
    }
    if (name.endsWith(".txt")) {
      return false;
    }
    if (!firstLine.stripLeading().startsWith("{")) {
      return false;
    }
    try {
      return JSON.readTree(firstLine).isObject();
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  private static Entry parse(Path file, int number, String line) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          file + " line " + number + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(file + " line " + number + " is not a JSON object");
    }
    JsonNode text = n.get("text");
    if (text == null || !text.isTextual()) {
      throw new IllegalArgumentException(
          file + " line " + number + " has no string field \"text\"");
    }
    JsonNode id = n.has("id") ? n.get("id") : n.get("_id");
    String idText;
    if (id == null || id.isNull()) {
      idText = Integer.toString(number);
    } else if (id.isTextual() || id.isNumber()) {
      idText = id.asText();
    } else {
      throw new IllegalArgumentException(
          file + " line " + number + ": id must be a string or a number, got " + id);
    }
    JsonNode title = n.get("title");
    String body = text.asText();
    if (title != null && title.isTextual() && !title.asText().isBlank()) {
      body = title.asText() + " " + body;
    }
    return new Entry(idText, body);
  }
}
