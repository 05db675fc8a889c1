package dev.winnow.onnx.hub;

/**
 * A download from the hub failed: the hub refused or could not be reached, a file was cut off or
 * did not match its announced checksum, or the cache lacks a model in offline mode. The message
 * names the model and the file. Nothing half-written is left in the cache when this is thrown.
 */
public final class HubException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public HubException(String message) {
    super(message);
  }

  public HubException(String message, Throwable cause) {
    super(message, cause);
  }
}
