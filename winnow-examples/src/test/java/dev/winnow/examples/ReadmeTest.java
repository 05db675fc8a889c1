package dev.winnow.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's Java examples are the compiled ones: each tagged region of an example, without its
 * indentation, appears verbatim in README.md.
 */
class ReadmeTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/winnow/examples");

  static String region(Path source, String tag) throws IOException {
    List<String> lines = Files.readAllLines(source);
    int start = lines.indexOf(indentOf(lines, "// tag::" + tag + "[]") + "// tag::" + tag + "[]");
    int end = lines.indexOf(indentOf(lines, "// end::" + tag + "[]") + "// end::" + tag + "[]");
    assertThat(start).as(tag + " in " + source).isNotNegative().isLessThan(end);
    List<String> body = lines.subList(start + 1, end);
    int indent =
        body.stream().filter(l -> !l.isBlank()).mapToInt(ReadmeTest::indent).min().orElse(0);
    StringBuilder sb = new StringBuilder();
    for (String l : body) {
      sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
    }
    return sb.toString();
  }

  private static String indentOf(List<String> lines, String marker) {
    for (String l : lines) {
      if (l.trim().equals(marker)) {
        return l.substring(0, indent(l));
      }
    }
    return "";
  }

  private static int indent(String l) {
    int i = 0;
    while (i < l.length() && l.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  @Test
  void readme_showsTheCompiledExamples() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(readme).contains(region(SOURCES.resolve("Quickstart.java"), "quickstart"));
    assertThat(readme).contains(region(SOURCES.resolve("EmbeddedServer.java"), "server"));
    assertThat(readme).contains(region(SOURCES.resolve("LangChain4jRerank.java"), "langchain4j"));
  }
}
