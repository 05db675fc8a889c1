/**
 * Winnow's vocabulary: immutable records and the small interfaces every stage implements.
 *
 * <p>Nothing here depends on Lucene or ONNX Runtime; implementations live in the stage modules. All
 * ranked lists in Winnow follow one ordering rule, {@link dev.winnow.api.Hit#ORDER}.
 */
package dev.winnow.api;
