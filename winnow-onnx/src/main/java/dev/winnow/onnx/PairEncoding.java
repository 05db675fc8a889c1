package dev.winnow.onnx;

/**
 * The model input for one pair: {@code inputIds} ({@code [CLS] query [SEP] document [SEP]} for
 * BERT) and {@code tokenTypeIds} after truncation, unpadded, with how many query and document
 * tokens survived truncation. For a single text ({@link PairTokenizer#encodeSingle}) {@code
 * documentKept} is 0.
 *
 * <p>The accessors return the record's own arrays, which callers must not modify.
 */
public record PairEncoding(long[] inputIds, long[] tokenTypeIds, int queryKept, int documentKept) {

  public PairEncoding {
    if (inputIds.length != tokenTypeIds.length) {
      throw new IllegalArgumentException(
          "inputIds and tokenTypeIds must have the same length, got "
              + inputIds.length
              + " and "
              + tokenTypeIds.length);
    }
  }

  /** Total tokens the model reads, specials included. */
  public int length() {
    return inputIds.length;
  }
}
