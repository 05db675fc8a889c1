package dev.winnow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.testkit.Shared;
import java.util.HashSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fixed-length workload really is {@code batch} different pairs of exactly N tokens. */
class FixedLengthInputsIT {

  @ParameterizedTest
  @ValueSource(ints = {128, 512})
  void build_everyPairHasExactlyTheLength(int length) {
    SciFact data = SciFact.load(Shared.scifact());
    try (TokenCounter t = new TokenCounter(Shared.miniLmFixture().resolve("tokenizer.json"), 512)) {
      FixedLengthInputs in = FixedLengthInputs.build(data, t, length, 8);
      assertThat(in.docs()).hasSize(8);
      assertThat(new HashSet<>(in.docs())).hasSize(8);
      for (String d : in.docs()) {
        assertThat(t.pairLength(in.query(), d)).isEqualTo(length);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {20, 3000})
  void fitted_neverNeedsTruncation(int words) {
    try (TokenCounter t = new TokenCounter(Shared.miniLmFixture().resolve("tokenizer.json"), 512)) {
      String doc = "the protein binds to cell receptors ".repeat(words / 6 + 1);
      String fitted = Compare.fitted(t, "what binds receptors?", doc);
      assertThat(t.pairLength("what binds receptors?", fitted)).isLessThanOrEqualTo(512);
      assertThat(doc).startsWith(fitted);
      if (words == 20) {
        assertThat(fitted).isEqualTo(doc);
      }
    }
  }
}
