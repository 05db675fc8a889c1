package dev.winnow.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.Truncation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Turns texts into the token ids a BERT-style model reads, with the Hugging Face {@code tokenizers}
 * library (through DJL) for WordPiece/BPE and Winnow's own, tested, re-implementation of pair
 * truncation and the special-token template.
 *
 * <p>Each text is tokenized alone, without special tokens and without truncation; {@link
 * #encode(TokenizedPair, int, Truncation)} then cuts the pair to {@code maxLength} and wraps it in
 * the template of {@code tokenizer.json}'s {@code post_processor} ({@code [CLS] q [SEP] d [SEP]},
 * token types 0 then 1, for BERT). Doing the cut here, rather than inside the Rust library, lets
 * pre-tokenized pairs (passage windows) follow exactly the same rules as text pairs.
 *
 * <h2>Truncation</h2>
 *
 * With budget {@code M = maxLength - specials} and {@code n1 <= n2} the shorter and longer lengths:
 *
 * <ul>
 *   <li>{@link Truncation#LONGEST_FIRST} follows Rust {@code tokenizers} 0.21 ({@code
 *       truncate_encodings}): nothing is cut when {@code n1 + n2 <= M}; else if {@code 2 n1 <= M}
 *       only the longer is cut, to {@code M - n1}; else the shorter keeps {@code floor(M/2)} and
 *       the longer {@code ceil(M/2)}. On a tie the document counts as the longer.
 *   <li>{@link Truncation#ONLY_SECOND} never cuts the query; the document loses the excess. When
 *       the query alone leaves no room for a single document token (and the document is not empty),
 *       that is an {@link IllegalArgumentException}, as in the Rust library.
 * </ul>
 *
 * <h2>Length cap on raw text</h2>
 *
 * Before tokenizing a pair, each text is cut to {@value #CHARS_PER_TOKEN} characters per token of
 * {@code maxLength} (16,384 characters at 512), at a whitespace boundary when one is near, so a
 * megabyte document costs no more than a page. A WordPiece token always spans at least one input
 * character, so only text that is mostly characters the normalizer deletes (controls, combining
 * marks) could lose tokens the model would otherwise have read. {@link #tokenize(String)} keeps up
 * to {@value #MAX_TOKENIZE_CHARS} characters.
 *
 * <p>Thread-safe: the native tokenizer is immutable after loading and may be used from many
 * threads; close it once, when no call is running.
 */
public final class PairTokenizer implements AutoCloseable {

  /** Characters of raw text kept per token of {@code maxLength} before tokenizing a pair. */
  public static final int CHARS_PER_TOKEN = 32;

  /** Characters of raw text {@link #tokenize(String)} reads at most (1 Mi). */
  public static final int MAX_TOKENIZE_CHARS = 1 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HuggingFaceTokenizer tokenizer;
  private final String source;
  private final Template template;
  private final int maxLength;
  private final int hardMaxLength;
  private final Vocabulary vocabulary;

  private PairTokenizer(
      HuggingFaceTokenizer tokenizer,
      String source,
      Template template,
      int maxLength,
      int hardMaxLength,
      Vocabulary vocabulary) {
    this.tokenizer = tokenizer;
    this.source = source;
    this.template = template;
    this.maxLength = maxLength;
    this.hardMaxLength = hardMaxLength;
    this.vocabulary = vocabulary;
  }

  /**
   * Loads {@code tokenizer.json} of a model folder; the default length is {@code model_max_length}
   * of tokenizer_config.json capped by the position table: the one the ONNX graph holds, else
   * {@code max_position_embeddings} of config.json (a config that overstates the table is
   * overruled, with a warning).
   */
  public static PairTokenizer open(ModelFolder folder) {
    ModelConfig stated = ModelConfig.read(folder.config(), folder.tokenizerConfig());
    ModelConfig config = stated;
    OptionalInt table = OnnxGraph.positionRows(folder.onnx());
    if (table.isPresent()) {
      config = stated.withPositionTable(table.getAsInt());
      if (!config.equals(stated) && stated.maxPositions().isPresent()) {
        System.getLogger(PairTokenizer.class.getName())
            .log(
                System.Logger.Level.WARNING,
                "{0} says max_position_embeddings allows {1,number,#} positions, but the graph {2}"
                    + " has a position table of {3,number,#} rows; using {4,number,#}",
                folder.config(),
                stated.maxPositions().getAsInt() + stated.positionOffset(),
                folder.onnx(),
                table.getAsInt(),
                config.maxPositions().getAsInt());
      }
    }
    return load(
        folder.tokenizer().toString(),
        readBytes(folder.tokenizer()),
        config.defaultMaxLength(),
        config.hardMaxLength());
  }

  /** Loads a tokenizer.json held in memory ({@code source} names it in errors). */
  static PairTokenizer load(String source, byte[] tokenizerJson, int maxLength, int hardMaxLength) {
    if (maxLength < 2 || maxLength > hardMaxLength) {
      throw new IllegalArgumentException(
          source + ": maxLength must be in [2, " + hardMaxLength + "], got " + maxLength);
    }
    JsonNode json;
    try {
      json = JSON.readTree(tokenizerJson);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + " is not valid JSON: " + e.getMessage(), e);
    }
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException(source + " is not a tokenizer.json object");
    }
    Template template = Template.parse(source, json.get("post_processor"));
    HuggingFaceTokenizer tokenizer;
    try {
      // Truncation and padding are Winnow's job (see the class javadoc), so both are off here,
      // whatever tokenizer.json says.
      tokenizer =
          HuggingFaceTokenizer.newInstance(
              new ByteArrayInputStream(tokenizerJson),
              Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          source + ": the tokenizers library cannot load it: " + e.getMessage(), e);
    }
    return new PairTokenizer(
        tokenizer, source, template, maxLength, hardMaxLength, Vocabulary.of(json));
  }

  static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The model's default total length in tokens, specials included. */
  public int maxLength() {
    return maxLength;
  }

  /** The largest {@code maxLength} the model accepts (its position-embedding table). */
  public int hardMaxLength() {
    return hardMaxLength;
  }

  /** Special tokens a pair adds (3 for BERT: {@code [CLS] [SEP] [SEP]}). */
  public int pairSpecialTokens() {
    return template.pairSpecials();
  }

  /** Special tokens a single text adds (2 for BERT: {@code [CLS] [SEP]}). */
  public int singleSpecialTokens() {
    return template.singleSpecials();
  }

  /**
   * The token ids of {@code text} without special tokens and without truncation; at most the first
   * {@value #MAX_TOKENIZE_CHARS} characters are read.
   */
  public int[] tokenize(String text) {
    Objects.requireNonNull(text, "text");
    return ids(tokenizer.encode(cap(text, MAX_TOKENIZE_CHARS), false, false));
  }

  /**
   * The first {@code maxTokens} token ids of {@code text}, without special tokens; reads at most
   * {@code maxTokens * }{@value #CHARS_PER_TOKEN} characters.
   */
  public int[] tokenize(String text, int maxTokens) {
    Objects.requireNonNull(text, "text");
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
    int chars = (int) Math.min(MAX_TOKENIZE_CHARS, (long) maxTokens * CHARS_PER_TOKEN);
    int[] all = ids(tokenizer.encode(cap(text, chars), false, false));
    return all.length <= maxTokens ? all : java.util.Arrays.copyOf(all, maxTokens);
  }

  /**
   * The first {@code maxTokens} token ids of each text, without special tokens, in one call to the
   * native library (as {@link #tokenize(String, int)} for each text, but batched).
   */
  public List<int[]> tokenize(List<String> texts, int maxTokens) {
    Objects.requireNonNull(texts, "texts");
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
    if (texts.isEmpty()) {
      return List.of();
    }
    int chars = (int) Math.min(MAX_TOKENIZE_CHARS, (long) maxTokens * CHARS_PER_TOKEN);
    List<int[]> out = new ArrayList<>(texts.size());
    for (int[] all : tokenizeAll(texts, chars)) {
      out.add(all.length <= maxTokens ? all : java.util.Arrays.copyOf(all, maxTokens));
    }
    return out;
  }

  /**
   * Tokenizes many texts at once (the native library may use several threads), each capped at
   * {@code maxChars} characters first.
   */
  List<int[]> tokenizeAll(List<String> texts, int maxChars) {
    List<String> capped = new ArrayList<>(texts.size());
    for (String t : texts) {
      capped.add(cap(t, maxChars));
    }
    Encoding[] encodings = tokenizer.batchEncode(capped, false, false);
    List<int[]> out = new ArrayList<>(encodings.length);
    for (Encoding e : encodings) {
      out.add(ids(e));
    }
    return out;
  }

  /** Characters of raw text kept per text when pairs are cut to {@code maxLength} tokens. */
  static int pairCharCap(int maxLength) {
    return (int) Math.min(MAX_TOKENIZE_CHARS, (long) maxLength * CHARS_PER_TOKEN);
  }

  /** Tokenizes, truncates and wraps one text pair. */
  public PairEncoding encode(String query, String document, int maxLength, Truncation truncation) {
    int cap = pairCharCap(maxLength);
    List<int[]> ids = tokenizeAll(List.of(query, document), cap);
    return encode(ids.get(0), ids.get(1), maxLength, truncation);
  }

  /**
   * Truncates a tokenized pair to {@code maxLength} total tokens (specials included) by {@code
   * truncation} and wraps it in the pair template.
   */
  public PairEncoding encode(TokenizedPair pair, int maxLength, Truncation truncation) {
    return encode(pair.queryIds(), pair.documentIds(), maxLength, truncation);
  }

  PairEncoding encode(int[] query, int[] document, int maxLength, Truncation truncation) {
    Objects.requireNonNull(truncation, "truncation");
    checkMaxLength(maxLength, template.pairSpecials());
    int budget = maxLength - template.pairSpecials();
    int nq = query.length;
    int nd = document.length;
    int keepQ = nq;
    int keepD = nd;
    if (nq + nd > budget) {
      switch (truncation) {
        case LONGEST_FIRST -> {
          boolean queryLonger = nq > nd;
          int shorter = Math.min(nq, nd);
          int longer;
          if (shorter > budget) {
            longer = shorter;
          } else {
            longer = Math.max(shorter, budget - shorter);
          }
          if (shorter + longer > budget) {
            shorter = budget / 2;
            longer = shorter + budget % 2;
          }
          keepQ = Math.min(nq, queryLonger ? longer : shorter);
          keepD = Math.min(nd, queryLonger ? shorter : longer);
        }
        case ONLY_SECOND -> {
          int excess = nq + nd - budget;
          if (nd <= excess) {
            throw new IllegalArgumentException(
                "query has "
                    + nq
                    + " tokens but max_length "
                    + maxLength
                    + " leaves "
                    + budget
                    + " for query and document together ("
                    + template.pairSpecials()
                    + " special tokens), so only_second truncation cannot keep any document"
                    + " token; shorten the query, raise max_length or use longest_first");
          }
          keepD = nd - excess;
        }
      }
    }
    return template.pair(query, keepQ, document, keepD);
  }

  /** Truncates one tokenized text to {@code maxLength} (specials included) and wraps it. */
  PairEncoding encodeSingle(int[] ids, int maxLength) {
    checkMaxLength(maxLength, template.singleSpecials());
    int keep = Math.min(ids.length, maxLength - template.singleSpecials());
    return template.single(ids, keep);
  }

  private void checkMaxLength(int maxLength, int specials) {
    if (maxLength <= specials || maxLength > hardMaxLength) {
      throw new IllegalArgumentException(
          "maxLength must be in ["
              + (specials + 1)
              + ", "
              + hardMaxLength
              + "] for "
              + source
              + ", got "
              + maxLength);
    }
  }

  /**
   * {@code text} cut to at most {@code maxChars} characters, preferably just before a whitespace
   * within the last 256 characters, never between the halves of a surrogate pair.
   */
  static String cap(String text, int maxChars) {
    if (text.length() <= maxChars) {
      return text;
    }
    int floor = Math.max(maxChars - 256, maxChars / 2);
    for (int i = maxChars; i >= floor; i--) {
      if (Character.isWhitespace(text.charAt(i))) {
        return text.substring(0, i);
      }
    }
    int cut = maxChars;
    if (Character.isHighSurrogate(text.charAt(cut - 1))) {
      cut--;
    }
    return text.substring(0, cut);
  }

  private static int[] ids(Encoding e) {
    long[] ids = e.getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  /** The token strings of tokenizer.json's vocabulary and added tokens. */
  Vocabulary vocabulary() {
    return vocabulary;
  }

  /** The tokenizer.json this was loaded from. */
  public String source() {
    return source;
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  /**
   * The special tokens around one or two sequences, from tokenizer.json's {@code post_processor}:
   * {@code pre A mid B post} for pairs and {@code pre1 A post1} for single texts, with the type id
   * of each piece.
   */
  record Template(
      Piece pre, int typeA, Piece mid, int typeB, Piece post, Piece pre1, int type1, Piece post1) {

    record Piece(long[] ids, long[] types) {
      static final Piece EMPTY = new Piece(new long[0], new long[0]);

      Piece plus(long[] moreIds, long type) {
        long[] i = java.util.Arrays.copyOf(ids, ids.length + moreIds.length);
        long[] t = java.util.Arrays.copyOf(types, types.length + moreIds.length);
        for (int k = 0; k < moreIds.length; k++) {
          i[ids.length + k] = moreIds[k];
          t[types.length + k] = type;
        }
        return new Piece(i, t);
      }
    }

    int pairSpecials() {
      return pre.ids.length + mid.ids.length + post.ids.length;
    }

    int singleSpecials() {
      return pre1.ids.length + post1.ids.length;
    }

    PairEncoding pair(int[] a, int keepA, int[] b, int keepB) {
      int n = pairSpecials() + keepA + keepB;
      long[] ids = new long[n];
      long[] types = new long[n];
      int at = put(pre, ids, types, 0);
      at = put(a, keepA, typeA, ids, types, at);
      at = put(mid, ids, types, at);
      at = put(b, keepB, typeB, ids, types, at);
      put(post, ids, types, at);
      return new PairEncoding(ids, types, keepA, keepB);
    }

    PairEncoding single(int[] a, int keepA) {
      int n = singleSpecials() + keepA;
      long[] ids = new long[n];
      long[] types = new long[n];
      int at = put(pre1, ids, types, 0);
      at = put(a, keepA, type1, ids, types, at);
      put(post1, ids, types, at);
      return new PairEncoding(ids, types, keepA, 0);
    }

    private static int put(Piece p, long[] ids, long[] types, int at) {
      System.arraycopy(p.ids, 0, ids, at, p.ids.length);
      System.arraycopy(p.types, 0, types, at, p.types.length);
      return at + p.ids.length;
    }

    private static int put(int[] src, int n, int type, long[] ids, long[] types, int at) {
      for (int i = 0; i < n; i++) {
        ids[at + i] = src[i];
        types[at + i] = type;
      }
      return at + n;
    }

    /** Reads TemplateProcessing, BertProcessing or RobertaProcessing (alone or in a Sequence). */
    static Template parse(String source, JsonNode processor) {
      if (processor == null || processor.isNull()) {
        throw new IllegalArgumentException(
            source
                + " has no post_processor, so Winnow cannot tell how to join a query and a"
                + " document (expected TemplateProcessing, BertProcessing or RobertaProcessing)");
      }
      String type = processor.path("type").asText();
      switch (type) {
        case "Sequence":
          for (JsonNode p : processor.path("processors")) {
            String t = p.path("type").asText();
            if (t.equals("TemplateProcessing")
                || t.equals("BertProcessing")
                || t.equals("RobertaProcessing")) {
              return parse(source, p);
            }
          }
          break;
        case "BertProcessing":
          {
            long[] cls = {processor.path("cls").get(1).asLong()};
            long[] sep = {processor.path("sep").get(1).asLong()};
            return new Template(
                Piece.EMPTY.plus(cls, 0),
                0,
                Piece.EMPTY.plus(sep, 0),
                1,
                Piece.EMPTY.plus(sep, 1),
                Piece.EMPTY.plus(cls, 0),
                0,
                Piece.EMPTY.plus(sep, 0));
          }
        case "RobertaProcessing":
          {
            long[] cls = {processor.path("cls").get(1).asLong()};
            long[] sep = {processor.path("sep").get(1).asLong()};
            return new Template(
                Piece.EMPTY.plus(cls, 0),
                0,
                Piece.EMPTY.plus(sep, 0).plus(sep, 0),
                0,
                Piece.EMPTY.plus(sep, 0),
                Piece.EMPTY.plus(cls, 0),
                0,
                Piece.EMPTY.plus(sep, 0));
          }
        case "TemplateProcessing":
          return parseTemplate(source, processor);
        default:
          break;
      }
      throw new IllegalArgumentException(
          source
              + ": unsupported post_processor type '"
              + type
              + "' (supported: TemplateProcessing, BertProcessing, RobertaProcessing)");
    }

    private static Template parseTemplate(String source, JsonNode processor) {
      JsonNode specials = processor.path("special_tokens");
      Piece[] pair = {Piece.EMPTY, Piece.EMPTY, Piece.EMPTY};
      int[] pairTypes = {-1, -1};
      int stage = 0;
      for (JsonNode item : processor.path("pair")) {
        if (item.has("Sequence")) {
          String id = item.path("Sequence").path("id").asText();
          if (!id.equals(stage == 0 ? "A" : "B") || stage > 1) {
            throw unsupported(source, "pair template must read A before B, once each");
          }
          pairTypes[stage] = item.path("Sequence").path("type_id").asInt();
          stage++;
        } else if (item.has("SpecialToken")) {
          pair[stage] = special(source, specials, item.path("SpecialToken"), pair[stage]);
        }
      }
      if (stage != 2) {
        throw unsupported(source, "pair template must contain sequences A and B");
      }
      Piece[] single = {Piece.EMPTY, Piece.EMPTY};
      int singleType = -1;
      int s = 0;
      for (JsonNode item : processor.path("single")) {
        if (item.has("Sequence")) {
          if (s > 0) {
            throw unsupported(source, "single template must contain sequence A once");
          }
          singleType = item.path("Sequence").path("type_id").asInt();
          s++;
        } else if (item.has("SpecialToken")) {
          single[s] = special(source, specials, item.path("SpecialToken"), single[s]);
        }
      }
      if (s != 1) {
        throw unsupported(source, "single template must contain sequence A");
      }
      return new Template(
          pair[0], pairTypes[0], pair[1], pairTypes[1], pair[2], single[0], singleType, single[1]);
    }

    private static Piece special(String source, JsonNode specials, JsonNode token, Piece to) {
      String name = token.path("id").asText();
      JsonNode ids = specials.path(name).path("ids");
      if (!ids.isArray() || ids.isEmpty()) {
        throw unsupported(source, "special token '" + name + "' has no ids in special_tokens");
      }
      long[] values = new long[ids.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = ids.get(i).asLong();
      }
      return to.plus(values, token.path("type_id").asInt());
    }

    private static IllegalArgumentException unsupported(String source, String why) {
      return new IllegalArgumentException(source + ": unsupported TemplateProcessing: " + why);
    }
  }
}
