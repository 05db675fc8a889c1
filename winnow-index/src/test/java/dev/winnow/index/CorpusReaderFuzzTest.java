package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.winnow.api.Document;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/**
 * Fuzzes the JSON Lines corpus reader (BEIR corpus.jsonl and Winnow's own lines): any bytes either
 * read as documents or fail with a {@link CorpusFormatException} naming the line; nothing else
 * escapes. The seed corpus under {@code CorpusReaderFuzzTestInputs/} replays in every build.
 */
class CorpusReaderFuzzTest {

  private static final Path NAME = Path.of("fuzz.jsonl");

  @FuzzTest(maxDuration = "30s")
  void corpusLines(byte[] data) {
    try (CorpusReader reader = CorpusReader.over(new ByteArrayInputStream(data), NAME)) {
      while (reader.hasNext()) {
        Document d = reader.next();
        assertThat(d.id()).isNotBlank();
      }
    } catch (CorpusFormatException e) {
      assertThat(e.getMessage()).contains("fuzz.jsonl");
    }
  }
}
