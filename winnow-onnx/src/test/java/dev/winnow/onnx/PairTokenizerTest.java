package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Truncation;
import dev.winnow.testkit.Shared;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PairTokenizerTest {

  private PairTokenizer tokenizer;

  @BeforeAll
  void load() {
    tokenizer = PairTokenizer.open(ModelFolder.open(Shared.tinyFixture()));
  }

  @AfterAll
  void close() {
    if (tokenizer != null) {
      tokenizer.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-ce-fixture", "minilm-l6-ce-fixture"})
  void encode_everyGolden_matchesIdsAndTypeIds(String fixture) {
    Path root = Shared.require("models/" + fixture);
    List<String> mismatches = new ArrayList<>();
    try (PairTokenizer t = PairTokenizer.open(ModelFolder.open(root))) {
      List<Goldens.Case> cases = Goldens.cases(root);
      for (Goldens.Case c : cases) {
        PairEncoding e = t.encode(c.query(), c.document(), c.maxLength(), Truncation.LONGEST_FIRST);
        if (!Arrays.equals(e.inputIds(), c.inputIds())
            || !Arrays.equals(e.tokenTypeIds(), c.tokenTypeIds())
            || e.queryKept() != c.queryKept()
            || e.documentKept() != c.documentKept()) {
          mismatches.add(
              c.id()
                  + ": got "
                  + Arrays.toString(e.inputIds())
                  + " types "
                  + Arrays.toString(e.tokenTypeIds())
                  + ", want "
                  + Arrays.toString(c.inputIds())
                  + " types "
                  + Arrays.toString(c.tokenTypeIds()));
        }
      }
      assertThat(mismatches).as("golden cases of %s", fixture).isEmpty();
      assertThat(cases).hasSize(46);
    }
  }

  @Test
  void maxLength_defaultsToModelMaxLengthCappedByPositions() {
    assertThat(tokenizer.maxLength()).isEqualTo(512);
    assertThat(tokenizer.hardMaxLength()).isEqualTo(512);
    assertThat(tokenizer.pairSpecialTokens()).isEqualTo(3);
    assertThat(tokenizer.singleSpecialTokens()).isEqualTo(2);
  }

  @Test
  void tokenize_givesIdsWithoutSpecials() {
    assertThat(tokenizer.tokenize("This is an example sentence"))
        .containsExactly(2023, 2003, 2019, 2742, 6251);
    assertThat(tokenizer.tokenize("word ".repeat(1000), 10)).hasSize(10);
  }

  @Test
  void tokenizeMany_equalsTokenizeEachText() {
    List<String> texts =
        List.of("This is an example sentence", "word ".repeat(1000), "", "naïve café");
    List<int[]> many = tokenizer.tokenize(texts, 10);
    assertThat(many).hasSize(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      assertThat(many.get(i))
          .as(texts.get(i))
          .containsExactly(tokenizer.tokenize(texts.get(i), 10));
    }
    assertThat(many.get(1)).hasSize(10);
  }

  @Test
  void encode_tokenizedPair_equalsTextPair() {
    String q = "how are long documents ranked?";
    String d = "Passages are scored in windows; the best window wins. ".repeat(40);
    PairEncoding fromText = tokenizer.encode(q, d, 128, Truncation.LONGEST_FIRST);
    PairEncoding fromIds =
        tokenizer.encode(
            new TokenizedPair(tokenizer.tokenize(q), tokenizer.tokenize(d)),
            128,
            Truncation.LONGEST_FIRST);
    assertThat(fromIds.inputIds()).containsExactly(fromText.inputIds());
    assertThat(fromIds.tokenTypeIds()).containsExactly(fromText.tokenTypeIds());
    assertThat(fromText.length()).isEqualTo(128);
  }

  @Test
  void encode_onlySecond_neverCutsTheQuery() {
    int[] q = ids(100, 1);
    int[] d = ids(100, 2);
    PairEncoding e = tokenizer.encode(new TokenizedPair(q, d), 128, Truncation.ONLY_SECOND);
    assertThat(e.queryKept()).isEqualTo(100);
    assertThat(e.documentKept()).isEqualTo(25);
    assertThat(e.length()).isEqualTo(128);
    // longest_first would have split the budget 62/63.
    PairEncoding lf = tokenizer.encode(new TokenizedPair(q, d), 128, Truncation.LONGEST_FIRST);
    assertThat(lf.queryKept()).isEqualTo(62);
    assertThat(lf.documentKept()).isEqualTo(63);
  }

  @Test
  void encode_onlySecondQueryFillsBudget_isRefused() {
    Supplier<PairEncoding> tooLong =
        () ->
            tokenizer.encode(
                new TokenizedPair(ids(125, 1), ids(5, 2)), 128, Truncation.ONLY_SECOND);
    assertThatThrownBy(tooLong::get)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query has 125 tokens")
        .hasMessageContaining("only_second");
    // An empty document needs no room.
    assertThat(
            tokenizer
                .encode(new TokenizedPair(ids(125, 1), new int[0]), 128, Truncation.ONLY_SECOND)
                .length())
        .isEqualTo(128);
  }

  @Test
  void encode_maxLengthBeyondPositions_isRefused() {
    assertThatThrownBy(
            () ->
                tokenizer.encode(
                    new TokenizedPair(ids(3, 1), ids(3, 2)), 513, Truncation.LONGEST_FIRST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxLength must be in [4, 512]")
        .hasMessageContaining("513");
  }

  @Test
  void cap_cutsAtWhitespaceAndKeepsSurrogatePairs() {
    assertThat(PairTokenizer.cap("abc def", 100)).isEqualTo("abc def");
    assertThat(PairTokenizer.cap("abc defgh", 6)).isEqualTo("abc");
    String emoji = "\uD83D\uDE00";
    String s = "x".repeat(1000) + emoji + "y";
    assertThat(PairTokenizer.cap(s, 1001)).isEqualTo("x".repeat(1000));
  }

  @Test
  void encode_megabyteDocument_isCutNotExhausted() {
    String huge = "lorem ipsum dolor sit amet ".repeat(40_000); // ~1 MB
    PairEncoding e = tokenizer.encode("a query", huge, 512, Truncation.LONGEST_FIRST);
    assertThat(e.length()).isEqualTo(512);
    assertThat(tokenizer.tokenize(huge).length).isGreaterThan(100_000);
  }

  private static int[] ids(int n, int id) {
    int[] out = new int[n];
    Arrays.fill(out, 2000 + id);
    return out;
  }
}
