package dev.winnow.opensearch;

/**
 * The cluster could not do what was asked: unreachable, timed out, a red index, a mapping that does
 * not fit, a failed shard. The message names the URL(s) and the index. It is an {@link
 * IllegalStateException} because the cluster's state, not the caller's argument, is at fault; the
 * CLI prints its message and exits 2.
 */
public final class OpenSearchClusterException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  public OpenSearchClusterException(String message) {
    super(message);
  }

  public OpenSearchClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
