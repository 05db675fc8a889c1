package dev.winnow.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on standard error for long work (indexing, embedding, evaluation). It
 * draws only when the JVM has a console (so never into a pipe or a log file) unless forced, and
 * redraws at most every 200 ms. Not thread-safe: one thread reports.
 */
final class Progress implements AutoCloseable {

  private final String label;
  private final long total;
  private final PrintStream out;
  private final boolean enabled;
  private final long started = System.nanoTime();
  private long lastDraw;
  private long done;

  private Progress(String label, long total, PrintStream out, boolean enabled) {
    this.label = label;
    this.total = total;
    this.out = out;
    this.enabled = enabled;
  }

  /** A bar on stderr, shown only when stderr is a terminal. */
  static Progress start(String label, long total) {
    return new Progress(label, total, System.err, System.console() != null);
  }

  static Progress start(String label, long total, PrintStream out, boolean enabled) {
    return new Progress(label, total, out, enabled);
  }

  /** Sets the amount of work done so far. */
  void update(long doneSoFar) {
    this.done = doneSoFar;
    long now = System.nanoTime();
    if (enabled && (now - lastDraw > 200_000_000L || doneSoFar >= total)) {
      lastDraw = now;
      draw(now);
    }
  }

  void step() {
    update(done + 1);
  }

  private void draw(long now) {
    int width = 30;
    double frac = total <= 0 ? 1 : Math.min(1, (double) done / total);
    int fill = (int) Math.round(frac * width);
    double secs = (now - started) / 1e9;
    String eta =
        done > 0 && done < total
            ? String.format(Locale.ROOT, ", eta %.0fs", secs / done * (total - done))
            : "";
    out.printf(
        Locale.ROOT,
        "\r%s [%s%s] %d/%d (%.0fs%s)   ",
        label,
        "#".repeat(fill),
        " ".repeat(width - fill),
        done,
        total,
        secs,
        eta);
    out.flush();
  }

  @Override
  public void close() {
    if (enabled) {
      draw(System.nanoTime());
      out.println();
    }
  }
}
