package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The special-token templates other than the fixtures' TemplateProcessing. */
class PairTemplateTest {

  private static PairTokenizer.Template parse(String json) throws Exception {
    return PairTokenizer.Template.parse("test", new ObjectMapper().readTree(json));
  }

  @Test
  void bertProcessing_isClsASepBSep() throws Exception {
    PairTokenizer.Template t =
        parse(
            "{\"type\": \"BertProcessing\", \"sep\": [\"[SEP]\", 102], \"cls\": [\"[CLS]\", 101]}");
    PairEncoding e = t.pair(new int[] {7, 8}, 2, new int[] {9}, 1);
    assertThat(e.inputIds()).containsExactly(101, 7, 8, 102, 9, 102);
    assertThat(e.tokenTypeIds()).containsExactly(0, 0, 0, 0, 1, 1);
    assertThat(t.single(new int[] {7}, 1).inputIds()).containsExactly(101, 7, 102);
  }

  @Test
  void robertaProcessing_isDoubleSeparatorAndTypeZero() throws Exception {
    PairTokenizer.Template t =
        parse(
            "{\"type\": \"Sequence\", \"processors\": [{\"type\": \"ByteLevel\"},"
                + " {\"type\": \"RobertaProcessing\", \"sep\": [\"</s>\", 2], \"cls\": [\"<s>\", 0]}]}");
    PairEncoding e = t.pair(new int[] {7}, 1, new int[] {9}, 1);
    assertThat(e.inputIds()).containsExactly(0, 7, 2, 2, 9, 2);
    assertThat(e.tokenTypeIds()).containsOnly(0L);
    assertThat(t.pairSpecials()).isEqualTo(4);
  }

  @Test
  void missingPostProcessor_isRefused() {
    assertThatThrownBy(() -> parse("null"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("post_processor");
  }
}
