package dev.winnow.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The token strings of a {@code tokenizer.json}: {@code model.vocab} (an object of token to id for
 * WordPiece, WordLevel and BPE; an array of {@code [token, score]} for Unigram) and {@code
 * added_tokens}. Immutable, thread-safe.
 */
final class Vocabulary {

  private final Map<String, Integer> ids;
  private final String[] tokens;

  private Vocabulary(Map<String, Integer> ids) {
    this.ids = Map.copyOf(ids);
    int size = 0;
    for (int id : ids.values()) {
      size = Math.max(size, id + 1);
    }
    tokens = new String[size];
    ids.forEach((token, id) -> tokens[id] = token);
  }

  static Vocabulary of(JsonNode tokenizerJson) {
    Map<String, Integer> ids = new HashMap<>();
    JsonNode vocab = tokenizerJson.path("model").path("vocab");
    if (vocab.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        ids.put(e.getKey(), e.getValue().asInt());
      }
    } else if (vocab.isArray()) {
      for (int i = 0; i < vocab.size(); i++) {
        ids.put(vocab.get(i).path(0).asText(), i);
      }
    }
    for (JsonNode added : tokenizerJson.path("added_tokens")) {
      ids.put(added.path("content").asText(), added.path("id").asInt());
    }
    return new Vocabulary(ids);
  }

  /** The id of a vocabulary string, e.g. {@code [unused0]}. */
  OptionalInt id(String token) {
    Integer id = ids.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** The string of an id, or {@code #id} when the vocabulary has none. */
  String token(long id) {
    return id >= 0 && id < tokens.length && tokens[(int) id] != null ? tokens[(int) id] : "#" + id;
  }
}
