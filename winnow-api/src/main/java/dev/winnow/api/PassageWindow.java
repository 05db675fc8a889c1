package dev.winnow.api;

/**
 * The part of a document a cross-encoder actually read: window {@code index} of {@code count}, its
 * token span {@code [startToken, endToken)} within the document's tokens, and how many of the
 * document's tokens no scored window covered.
 */
public record PassageWindow(int index, int count, int startToken, int endToken, int droppedTokens) {

  public PassageWindow {
    if (index < 0 || count < 1 || index >= count) {
      throw new IllegalArgumentException(
          "window index must be in [0, " + count + "), got " + index);
    }
    if (startToken < 0 || endToken < startToken) {
      throw new IllegalArgumentException(
          "window span must satisfy 0 <= start <= end, got [" + startToken + ", " + endToken + ")");
    }
    if (droppedTokens < 0) {
      throw new IllegalArgumentException("droppedTokens must be >= 0, got " + droppedTokens);
    }
  }
}
