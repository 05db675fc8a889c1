package dev.winnow.index;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a Winnow index says about itself, kept in the user data of every Lucene commit: the format
 * version, the text analysis it was built with, and (when it holds vectors) their dimension and the
 * encoder that produced them.
 */
public record IndexInfo(
    int format, String analysis, OptionalInt vectorDimension, Optional<String> vectorModel) {

  /** The index format this build writes and the newest it reads. */
  public static final int FORMAT_VERSION = 2;

  /** The oldest format this build reads (format 1 kept texts in stored fields). */
  static final int OLDEST_READABLE = 2;

  static final String FORMAT_KEY = "winnow.format";
  static final String ANALYSIS_KEY = "winnow.analysis";
  static final String VECTOR_DIMENSION_KEY = "winnow.vector.dimension";
  static final String VECTOR_MODEL_KEY = "winnow.vector.model";

  public IndexInfo {
    Objects.requireNonNull(analysis, "analysis");
    Objects.requireNonNull(vectorDimension, "vectorDimension");
    Objects.requireNonNull(vectorModel, "vectorModel");
  }

  static IndexInfo fresh() {
    return new IndexInfo(FORMAT_VERSION, IndexAnalysis.NAME, OptionalInt.empty(), Optional.empty());
  }

  IndexInfo withVectors(int dimension, Optional<String> model) {
    return new IndexInfo(format, analysis, OptionalInt.of(dimension), model);
  }

  Map<String, String> toUserData() {
    Map<String, String> m = new HashMap<>();
    m.put(FORMAT_KEY, Integer.toString(format));
    m.put(ANALYSIS_KEY, analysis);
    vectorDimension.ifPresent(d -> m.put(VECTOR_DIMENSION_KEY, Integer.toString(d)));
    vectorModel.ifPresent(v -> m.put(VECTOR_MODEL_KEY, v));
    return m;
  }

  /**
   * Reads and checks a commit's user data; refuses an index Winnow did not write, one written by a
   * newer format, or one built with other text analysis.
   */
  static IndexInfo fromUserData(Map<String, String> data, String where) {
    String format = data.get(FORMAT_KEY);
    if (format == null) {
      throw new IllegalArgumentException(
          where
              + " holds a Lucene index that Winnow did not write (its commit has no "
              + FORMAT_KEY
              + " entry); refusing to open it");
    }
    int version;
    try {
      version = Integer.parseInt(format);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where + " has a malformed " + FORMAT_KEY + " '" + format + "'", e);
    }
    if (version > FORMAT_VERSION) {
      throw new IllegalArgumentException(
          where
              + " was written by a newer Winnow (index format "
              + version
              + "; this build reads up to format "
              + FORMAT_VERSION
              + "); upgrade Winnow or re-index");
    }
    if (version < OLDEST_READABLE) {
      throw new IllegalArgumentException(
          where
              + " was written by an older Winnow (index format "
              + version
              + "; this build reads formats "
              + OLDEST_READABLE
              + " to "
              + FORMAT_VERSION
              + "); re-index it");
    }
    String analysis = data.getOrDefault(ANALYSIS_KEY, "");
    if (!analysis.equals(IndexAnalysis.NAME)) {
      throw new IllegalArgumentException(
          where
              + " was built with text analysis '"
              + analysis
              + "', this build searches with '"
              + IndexAnalysis.NAME
              + "'; re-index it");
    }
    OptionalInt dim = OptionalInt.empty();
    String d = data.get(VECTOR_DIMENSION_KEY);
    if (d != null) {
      try {
        dim = OptionalInt.of(Integer.parseInt(d));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            where + " has a malformed " + VECTOR_DIMENSION_KEY + " '" + d + "'", e);
      }
    }
    return new IndexInfo(version, analysis, dim, Optional.ofNullable(data.get(VECTOR_MODEL_KEY)));
  }
}
