package dev.winnow.api;

/**
 * A cross-encoder's verdict on one pair: the raw logit, the score after the activation, and the
 * number of tokens the model read for it (specials included, padding excluded).
 */
public record PairScore(double logit, double score, int tokens) {}
