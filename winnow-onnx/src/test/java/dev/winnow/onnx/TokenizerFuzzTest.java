package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.winnow.api.Truncation;
import dev.winnow.testkit.Shared;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the tokenizer wrapper over the tiny fixture's real tokenizer (lone surrogates, NUL,
 * combining marks, huge words): every (query, document) pair encodes within the maximum length,
 * with ids and token types of one length, for both truncation strategies. The seed corpus under
 * {@code TokenizerFuzzTestInputs/} replays in every build.
 */
class TokenizerFuzzTest {

  private static PairTokenizer tokenizer;

  @BeforeAll
  static void open() {
    tokenizer = PairTokenizer.open(ModelFolder.open(Shared.tinyFixture()));
  }

  @AfterAll
  static void close() {
    if (tokenizer != null) {
      tokenizer.close();
    }
  }

  @FuzzTest(maxDuration = "30s")
  void encodePair(FuzzedDataProvider data) {
    int maxLength = data.consumeInt(4, tokenizer.hardMaxLength());
    String query = data.consumeString(2_000);
    String document = data.consumeRemainingAsString();
    for (Truncation t : Truncation.values()) {
      PairEncoding e;
      try {
        e = tokenizer.encode(query, document, maxLength, t);
      } catch (IllegalArgumentException refused) {
        // ONLY_SECOND with a query that leaves no room for the document is refused by name.
        assertThat(refused.getMessage()).isNotBlank();
        continue;
      }
      assertThat(e.length()).isBetween(1, maxLength);
      assertThat(e.tokenTypeIds()).hasSize(e.inputIds().length);
    }
  }
}
