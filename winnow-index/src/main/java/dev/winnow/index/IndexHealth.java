package dev.winnow.index;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the index is taking writes: {@link Status#OK} until a write fails, then {@link
 * Status#DISK_FULL} or {@link Status#WRITE_FAILED} until a later commit succeeds. Reads keep
 * working from the last commit throughout; readiness probes report the index degraded meanwhile.
 *
 * @param status the current state
 * @param lastError the message of the last failed write, if any write ever failed
 * @param since when the current state began
 * @param failedWrites writes that failed since the index was opened
 */
public record IndexHealth(
    Status status, Optional<String> lastError, Instant since, long failedWrites) {

  /** The index's write state. */
  public enum Status {
    /** Writes succeed (or none failed since the last successful commit). */
    OK,
    /** The last write found the disk full; writing resumes once space is freed. */
    DISK_FULL,
    /** The last write failed on another I/O error; the writer was reopened from the last commit. */
    WRITE_FAILED
  }

  public IndexHealth {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(lastError, "lastError");
    Objects.requireNonNull(since, "since");
  }

  /** True while the last write failed and no commit has succeeded since. */
  public boolean degraded() {
    return status != Status.OK;
  }
}
