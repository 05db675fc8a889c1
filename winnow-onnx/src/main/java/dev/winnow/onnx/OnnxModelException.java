package dev.winnow.onnx;

import java.util.Objects;

/**
 * A model file that ONNX Runtime could not load or run. The message names the file; the original
 * {@code OrtException} (or I/O error) is kept as the cause.
 *
 * <p>It is an {@link IllegalStateException} because the fault lies in the model on disk (truncated,
 * not ONNX, an operator this runtime lacks), not in the arguments of the call that met it.
 */
public final class OnnxModelException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String file;

  OnnxModelException(String file, String message, Throwable cause) {
    super(file + ": " + message, cause);
    this.file = Objects.requireNonNull(file, "file");
  }

  /** The model file (a path, or a classpath resource name) the error is about. */
  public String file() {
    return file;
  }
}
