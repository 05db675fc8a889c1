package dev.winnow.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress display on stderr, shown only when the process has a terminal ({@code
 * System.console() != null}); otherwise every call is a no-op, so logs and pipes stay clean.
 * Updates are throttled to about ten per second.
 */
final class Progress {

  private final PrintWriter err;
  private final String verb;
  private final String unit;
  private final boolean enabled;
  private final long start = System.nanoTime();
  private long lastPrint;
  private boolean printed;

  private Progress(PrintWriter err, String verb, String unit, boolean enabled) {
    this.err = err;
    this.verb = verb;
    this.unit = unit;
    this.enabled = enabled;
  }

  static Progress forTerminal(PrintWriter err, String verb, String unit) {
    return new Progress(err, verb, unit, System.console() != null);
  }

  /** Shows {@code done} so far. */
  void update(long done) {
    update(done, -1);
  }

  /** Shows {@code done} of {@code total} (total below 0: unknown). */
  void update(long done, long total) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (printed && now - lastPrint < 100_000_000L && done != total) {
      return;
    }
    lastPrint = now;
    printed = true;
    double seconds = (now - start) / 1e9;
    String rate =
        seconds > 0 ? String.format(Locale.ROOT, ", %.0f %s/s", done / seconds, unit) : "";
    String of = total >= 0 ? " of " + total : "";
    err.print(String.format(Locale.ROOT, "\r%s %d%s %s%s   ", verb, done, of, unit, rate));
    err.flush();
  }

  /** Ends the progress line. */
  void done() {
    if (enabled && printed) {
      err.println();
      err.flush();
    }
  }
}
