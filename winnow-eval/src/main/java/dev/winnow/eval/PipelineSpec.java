package dev.winnow.eval;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A pipeline named as data: the first-stage retriever ({@code bm25}, ...) and string options for it
 * and any later stages (e.g. {@code k1}, {@code b}; the pipeline module adds {@code embedder},
 * {@code rerank}, ...). It comes from the command line or a regression YAML; {@link Pipelines}
 * turns it into a {@link SearchPipeline}.
 */
public record PipelineSpec(String retriever, Map<String, String> options) {

  public PipelineSpec {
    Objects.requireNonNull(retriever, "retriever");
    retriever = retriever.trim().toLowerCase(Locale.ROOT);
    if (retriever.isEmpty()) {
      throw new IllegalArgumentException("retriever must not be empty");
    }
    options = Collections.unmodifiableMap(new TreeMap<>(options));
  }

  public static PipelineSpec of(String retriever) {
    return new PipelineSpec(retriever, Map.of());
  }

  public Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  /** A float option, or {@code fallback} when absent; a malformed value names the option. */
  public float floatOption(String name, float fallback) {
    String v = options.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Float.parseFloat(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "pipeline option " + name + " must be a number, got '" + v + "'", e);
    }
  }

  /** This spec with one more option. */
  public PipelineSpec with(String name, String value) {
    Map<String, String> m = new TreeMap<>(options);
    m.put(name, value);
    return new PipelineSpec(retriever, m);
  }
}
