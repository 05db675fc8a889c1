package dev.winnow.index;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.winnow.api.Document;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Streams {@link Document}s from a JSON Lines corpus, one object per line: BEIR's {@code
 * corpus.jsonl} ({@code {"_id", "title", "text", "metadata"}}), the plain form with {@code "id"},
 * or Anserini's JSON collections ({@code {"id", "contents"}}). A directory is read as the
 * concatenation of its {@code .jsonl}, {@code .json} and {@code .gz} variants of those files, in
 * name order (as Anserini and Pyserini read a collection directory); other files are ignored.
 *
 * <p>Per line: the id is {@code "_id"} or {@code "id"} (a string or an integer; both present must
 * agree); {@code "text"} (or {@code "contents"}, never both) is required (a string, possibly
 * empty); {@code "title"} is optional (absent or null: empty); {@code "metadata"} is an optional
 * object whose string values are kept as they are and whose other values are kept as their JSON
 * text. Other fields are ignored. Blank lines are skipped. Anything else (invalid JSON, trailing
 * content after the object, duplicate keys, a missing id or text, invalid UTF-8) is a {@link
 * CorpusFormatException} naming the file and line. A name ending in {@code .gz} is read through
 * gzip.
 *
 * <p>Reading is lazy: a bad line is reported when the iteration reaches it. Callers that must not
 * half-apply a corpus either validate first ({@link #count}) or write and roll back, as {@link
 * WinnowIndex#ingest} does. Not thread-safe; close it (or exhaust it) to release the file.
 */
public final class CorpusReader implements Iterator<Document>, Closeable {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final Deque<Path> pending;
  private Path file;
  private InputStream in;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private byte[] buffer = new byte[1 << 16];
  private int position;
  private int limit;
  private byte[] lineBytes = new byte[1 << 12];
  private long lineNumber;
  private Document next;
  private boolean closed;

  private CorpusReader(Path file, InputStream in, Deque<Path> pending) {
    this.file = file;
    this.in = in;
    this.pending = pending;
  }

  /**
   * Opens {@code file}, or every corpus file of a directory in name order; a missing file, or a
   * directory without corpus files, is an {@link IllegalArgumentException} naming it.
   */
  public static CorpusReader open(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      Deque<Path> files = new ArrayDeque<>(corpusFiles(file));
      if (files.isEmpty()) {
        throw new IllegalArgumentException(
            "corpus directory " + file + " holds no .jsonl, .json, .jsonl.gz or .json.gz file");
      }
      Path first = files.removeFirst();
      return new CorpusReader(first, stream(first), files);
    }
    return new CorpusReader(file, stream(file), new ArrayDeque<>());
  }

  /** The corpus files of {@code dir} in name order (not recursive). */
  public static List<Path> corpusFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(
              p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".jsonl")
                    || n.endsWith(".json")
                    || n.endsWith(".jsonl.gz")
                    || n.endsWith(".json.gz");
              })
          .sorted()
          .toList();
    }
  }

  private static InputStream stream(Path file) throws IOException {
    InputStream raw;
    try {
      raw = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("corpus file " + file + " does not exist", e);
    }
    try {
      return file.getFileName().toString().endsWith(".gz")
          ? new GZIPInputStream(raw, 1 << 16)
          : raw;
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** Reads a corpus from a stream, named {@code file} in messages (tests and fuzzing). */
  static CorpusReader over(InputStream in, Path file) {
    return new CorpusReader(file, in, new ArrayDeque<>());
  }

  /**
   * Reads the whole file once and returns the number of documents, failing on the first bad line:
   * validation without side effects.
   */
  public static long count(Path file) throws IOException {
    long n = 0;
    try (CorpusReader r = open(file)) {
      while (r.hasNext()) {
        r.next();
        n++;
      }
    }
    return n;
  }

  /** The file being read. */
  public Path file() {
    return file;
  }

  /** The 1-based number of the last line read (0 before the first). */
  public long lineNumber() {
    return lineNumber;
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    if (closed) {
      return false;
    }
    try {
      while (true) {
        String line;
        while ((line = readLine()) != null) {
          if (!line.isBlank()) {
            next = parse(line);
            return true;
          }
        }
        if (pending.isEmpty()) {
          break;
        }
        in.close();
        file = pending.removeFirst();
        in = stream(file);
        lineNumber = 0;
        position = 0;
        limit = 0;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read corpus " + file + " near line " + lineNumber, e);
    }
    close();
    return false;
  }

  @Override
  public Document next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more documents in " + file);
    }
    Document d = next;
    next = null;
    return d;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close corpus " + file, e);
    }
  }

  /**
   * The next line without its {@code \n} (or {@code \r\n}), decoded strictly as UTF-8 on its own so
   * that a decoding error names the right line; null at the end of the file.
   */
  private String readLine() throws IOException {
    int length = 0;
    boolean any = false;
    while (true) {
      if (position == limit) {
        limit = in.read(buffer, 0, buffer.length);
        position = 0;
        if (limit <= 0) {
          limit = 0;
          break;
        }
      }
      any = true;
      int start = position;
      while (position < limit && buffer[position] != '\n') {
        position++;
      }
      int n = position - start;
      if (length + n > lineBytes.length) {
        lineBytes = Arrays.copyOf(lineBytes, Math.max(lineBytes.length * 2, length + n));
      }
      System.arraycopy(buffer, start, lineBytes, length, n);
      length += n;
      if (position < limit) {
        position++; // the newline
        break;
      }
    }
    if (!any) {
      return null;
    }
    lineNumber++;
    if (length > 0 && lineBytes[length - 1] == '\r') {
      length--;
    }
    try {
      return decoder.decode(ByteBuffer.wrap(lineBytes, 0, length)).toString();
    } catch (CharacterCodingException e) {
      throw new CorpusFormatException(file, lineNumber, "invalid UTF-8", e);
    }
  }

  private Document parse(String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new CorpusFormatException(
          file, lineNumber, "invalid JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new CorpusFormatException(
          file,
          lineNumber,
          "expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
    }
    String id = id(node);
    JsonNode text = node.get("text");
    JsonNode contents = node.get("contents");
    String textField = "text";
    if (contents != null && !contents.isNull()) {
      if (text != null && !text.isNull()) {
        throw new CorpusFormatException(
            file, lineNumber, "document '" + id + "' has both \"text\" and \"contents\": keep one");
      }
      text = contents;
      textField = "contents";
    }
    if (text == null || text.isNull()) {
      throw new CorpusFormatException(
          file, lineNumber, "document '" + id + "' has no \"text\" (or \"contents\")");
    }
    if (!text.isTextual()) {
      throw new CorpusFormatException(
          file,
          lineNumber,
          "\""
              + textField
              + "\" of document '"
              + id
              + "' must be a string, got "
              + text.getNodeType());
    }
    JsonNode title = node.get("title");
    String titleText = "";
    if (title != null && !title.isNull()) {
      if (!title.isTextual()) {
        throw new CorpusFormatException(
            file,
            lineNumber,
            "\"title\" of document '" + id + "' must be a string, got " + title.getNodeType());
      }
      titleText = title.textValue();
    }
    return new Document(id, titleText, text.textValue(), metadata(node.get("metadata"), id));
  }

  private String id(JsonNode node) {
    String underscore = idValue(node, "_id");
    String plain = idValue(node, "id");
    if (underscore == null && plain == null) {
      throw new CorpusFormatException(file, lineNumber, "no \"_id\" or \"id\" field");
    }
    if (underscore != null && plain != null && !underscore.equals(plain)) {
      throw new CorpusFormatException(
          file, lineNumber, "\"_id\" ('" + underscore + "') and \"id\" ('" + plain + "') disagree");
    }
    return underscore != null ? underscore : plain;
  }

  private String idValue(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null) {
      return null;
    }
    String id;
    if (v.isTextual()) {
      id = v.textValue();
    } else if (v.isIntegralNumber()) {
      id = v.asText();
    } else {
      throw new CorpusFormatException(
          file,
          lineNumber,
          "\"" + field + "\" must be a string or an integer, got " + v.getNodeType());
    }
    if (id.isBlank()) {
      throw new CorpusFormatException(file, lineNumber, "\"" + field + "\" is blank");
    }
    return id;
  }

  private Map<String, String> metadata(JsonNode node, String id) {
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new CorpusFormatException(
          file,
          lineNumber,
          "\"metadata\" of document '" + id + "' must be an object, got " + node.getNodeType());
    }
    Map<String, String> out = new LinkedHashMap<>();
    node.fields()
        .forEachRemaining(
            e -> {
              JsonNode v = e.getValue();
              if (!v.isNull()) {
                out.put(e.getKey(), v.isTextual() ? v.textValue() : v.toString());
              }
            });
    return out;
  }
}
