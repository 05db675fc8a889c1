package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Document;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private static List<Document> readAll(Path p) throws IOException {
    List<Document> out = new ArrayList<>();
    try (CorpusReader r = CorpusReader.open(p)) {
      r.forEachRemaining(out::add);
    }
    return out;
  }

  @Test
  void read_beirAndPlainLines() throws IOException {
    Path p =
        write(
            "c.jsonl",
            "{\"_id\": \"4983\", \"title\": \"T\", \"text\": \"body\", \"metadata\": {}}\n"
                + "\n"
                + "{\"id\": 7, \"text\": \"no title\"}\n"
                + "{\"id\": \"x\", \"title\": null, \"text\": \"\","
                + " \"metadata\": {\"url\": \"u\", \"year\": 2020, \"tags\": [\"a\"]}}\n");
    List<Document> docs = readAll(p);
    assertThat(docs)
        .containsExactly(
            new Document("4983", "T", "body", Map.of()),
            new Document("7", "", "no title", Map.of()),
            new Document("x", "", "", Map.of("url", "u", "year", "2020", "tags", "[\"a\"]")));
  }

  @Test
  void read_gzip() throws IOException {
    Path p = dir.resolve("c.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write("{\"_id\": \"1\", \"text\": \"a\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(readAll(p)).containsExactly(Document.of("1", "a"));
  }

  @Test
  void read_malformedLine_namesFileAndLine() throws IOException {
    Path p =
        write("bad.jsonl", "{\"_id\": \"1\", \"text\": \"a\"}\n\n{\"_id\": \"2\", \"text\": \n");
    assertThatThrownBy(() -> readAll(p))
        .isInstanceOf(CorpusFormatException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("line 3")
        .hasMessageContaining("invalid JSON")
        .satisfies(e -> assertThat(((CorpusFormatException) e).line()).isEqualTo(3));
  }

  @Test
  void read_structuralProblems_areReportedWithLine() throws IOException {
    assertLineError("[1, 2]", "expected a JSON object");
    assertLineError("{\"text\": \"a\"}", "no \"_id\" or \"id\"");
    assertLineError("{\"_id\": \"1\"}", "has no \"text\"");
    assertLineError("{\"_id\": \"1\", \"text\": 5}", "\"text\" of document '1' must be a string");
    assertLineError("{\"_id\": \"1\", \"id\": \"2\", \"text\": \"a\"}", "disagree");
    assertLineError("{\"_id\": \"1\", \"text\": \"a\"} trailing", "invalid JSON");
    assertLineError("{\"_id\": \"1\", \"text\": \"a\", \"text\": \"b\"}", "Duplicate field");
    assertLineError("{\"_id\": 1.5, \"text\": \"a\"}", "string or an integer");
    assertLineError("{\"_id\": \" \", \"text\": \"a\"}", "blank");
    assertLineError("{\"_id\": \"1\", \"text\": \"a\", \"metadata\": 3}", "must be an object");
  }

  private void assertLineError(String line, String expected) throws IOException {
    Path p = write("e.jsonl", "{\"_id\": \"0\", \"text\": \"ok\"}\n" + line + "\n");
    assertThatThrownBy(() -> readAll(p))
        .as(line)
        .isInstanceOf(CorpusFormatException.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining(expected);
  }

  @Test
  void read_invalidUtf8_isAFormatError() throws IOException {
    Path p = dir.resolve("u.jsonl");
    byte[] good = "{\"_id\": \"1\", \"text\": \"a\"}\n{\"_id\": \"2\", \"text\": \"".getBytes();
    byte[] bad = {(byte) 0xC3, (byte) 0x28};
    byte[] end = "\"}\n".getBytes();
    byte[] all = new byte[good.length + bad.length + end.length];
    System.arraycopy(good, 0, all, 0, good.length);
    System.arraycopy(bad, 0, all, good.length, bad.length);
    System.arraycopy(end, 0, all, good.length + bad.length, end.length);
    Files.write(p, all);
    assertThatThrownBy(() -> readAll(p))
        .isInstanceOf(CorpusFormatException.class)
        .hasMessageContaining("invalid UTF-8");
  }

  @Test
  void open_missingFileOrDirectory_isClear() {
    assertThatThrownBy(() -> CorpusReader.open(dir.resolve("nope.jsonl")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> CorpusReader.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("directory");
  }

  @Test
  void count_emptyFile_isZero() throws IOException {
    assertThat(CorpusReader.count(write("empty.jsonl", "\n  \n"))).isZero();
  }

  @Test
  void read_anseriniContents_isTheText() throws IOException {
    List<Document> docs =
        readAll(write("a.jsonl", "{\"id\": \"doc1\", \"contents\": \"Aspirin reduces fever.\"}\n"));
    assertThat(docs)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.id()).isEqualTo("doc1");
              assertThat(d.text()).isEqualTo("Aspirin reduces fever.");
            });
    assertLineError("{\"id\": \"1\", \"text\": \"a\", \"contents\": \"b\"}", "both");
    assertLineError("{\"id\": \"1\", \"contents\": 3}", "\"contents\" of document '1'");
  }

  @Test
  void read_directory_readsItsCorpusFilesInNameOrder_andNamesTheFileOfABadLine()
      throws IOException {
    Path collection = Files.createDirectory(dir.resolve("collection"));
    Files.writeString(collection.resolve("b.jsonl"), "{\"id\": \"3\", \"contents\": \"c\"}\n");
    Files.writeString(
        collection.resolve("a.jsonl"),
        "{\"id\": \"1\", \"contents\": \"a\"}\n{\"id\": \"2\", \"contents\": \"b\"}");
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(collection.resolve("c.jsonl.gz")))) {
      out.write("{\"_id\": \"4\", \"text\": \"d\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(collection.resolve("README.md"), "not a corpus");
    assertThat(readAll(collection)).extracting(Document::id).containsExactly("1", "2", "3", "4");
    assertThat(CorpusReader.count(collection)).isEqualTo(4);
    Files.writeString(collection.resolve("d.jsonl"), "{\"id\": \"5\", \"contents\": \"e\"}\n{\n");
    assertThatThrownBy(() -> readAll(collection))
        .isInstanceOf(CorpusFormatException.class)
        .hasMessageContaining("d.jsonl line 2");
  }
}
