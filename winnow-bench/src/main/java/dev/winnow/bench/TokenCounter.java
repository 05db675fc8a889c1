package dev.winnow.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The harness's own view of the token counts: the model's DJL tokenizer with longest-first
 * truncation to {@code maxLength} and no padding. Used to build exact-length inputs and to derive
 * padding for implementations that do not report it. Not thread-safe.
 */
final class TokenCounter implements AutoCloseable {

  private final HuggingFaceTokenizer pairs;
  private final HuggingFaceTokenizer plain;

  TokenCounter(Path tokenizerJson, int maxLength) {
    try {
      pairs =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(tokenizerJson)
              .optTruncation(true)
              .optMaxLength(maxLength)
              .optPadding(false)
              .build();
      plain =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(tokenizerJson)
              .optTruncation(false)
              .optPadding(false)
              .optAddSpecialTokens(false)
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load " + tokenizerJson, e);
    }
  }

  /** Tokens of {@code [CLS] query [SEP] doc [SEP]} after truncation. */
  int pairLength(String query, String doc) {
    return pairs.encode(query, doc).getIds().length;
  }

  /** Tokens of {@code [CLS] text [SEP]} after truncation: what a bi-encoder reads. */
  int singleLength(String text) {
    return pairs.encode(text).getIds().length;
  }

  int[] pairLengths(String query, List<String> docs) {
    int[] out = new int[docs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = pairLength(query, docs.get(i));
    }
    return out;
  }

  /** WordPiece tokens of {@code text} alone, without specials or truncation. */
  int length(String text) {
    return plain.encode(text).getIds().length;
  }

  /**
   * The longest prefix of {@code text} that ends on a word boundary and has at most {@code tokens}
   * WordPiece tokens, or the empty string when the first word alone is longer.
   */
  String prefixOfTokens(String text, int tokens) {
    Encoding e = plain.encode(text);
    String[] toks = e.getTokens();
    CharSpan[] spans = e.getCharTokenSpans();
    for (int n = Math.min(tokens, toks.length); n > 0; n--) {
      boolean wordEnds = n == toks.length || !toks[n].startsWith("##");
      if (wordEnds && spans[n - 1] != null) {
        return text.substring(0, spans[n - 1].getEnd());
      }
    }
    return "";
  }

  @Override
  public void close() {
    pairs.close();
    plain.close();
  }
}
