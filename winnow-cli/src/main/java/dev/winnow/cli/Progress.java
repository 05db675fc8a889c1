package dev.winnow.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on standard error for long work (indexing, embedding, evaluation), drawn by the
 * progressbar library whenever stderr is a terminal, even when stdout goes to a file ({@code eval
 * --json > out.json}); never into a pipe or a log file. Not thread-safe: one thread reports.
 */
final class Progress implements AutoCloseable {

  private final ProgressBar bar; // null: disabled

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /** A bar on stderr, shown only when stderr is a terminal. */
  static Progress start(String label, long total) {
    return start(label, total, System.err, stderrIsTerminal());
  }

  static Progress start(String label, long total, PrintStream out, boolean enabled) {
    if (!enabled) {
      return new Progress(null);
    }
    return new Progress(
        new ProgressBarBuilder()
            .setTaskName(label)
            .setInitialMax(total)
            .setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(200)
            .showSpeed()
            .setConsumer(new ConsoleProgressBarConsumer(out))
            .build());
  }

  /** Sets the amount of work done so far. */
  void update(long doneSoFar) {
    if (bar != null) {
      bar.stepTo(doneSoFar);
    }
  }

  void step() {
    if (bar != null) {
      bar.step();
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }

  /**
   * Whether file descriptor 2 is a terminal. {@code System.console()} cannot tell: it is null as
   * soon as stdin or stdout is redirected. On Linux the descriptor's link names the device;
   * elsewhere POSIX {@code test -t 2}, run with this process's stderr, answers.
   */
  static boolean stderrIsTerminal() {
    Path fd = Path.of("/proc/self/fd/2");
    try {
      return isTerminalDevice(Files.readSymbolicLink(fd).toString());
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      try {
        Process p =
            new ProcessBuilder("test", "-t", "2")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return p.waitFor() == 0;
      } catch (IOException notPosix) {
        return System.console() != null;
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /**
   * {@code /dev/pts/3}, {@code /dev/tty1}, {@code /dev/console}: terminals; files and pipes not.
   */
  static boolean isTerminalDevice(String target) {
    return target.startsWith("/dev/pts/")
        || target.startsWith("/dev/tty")
        || target.equals("/dev/console");
  }
}
