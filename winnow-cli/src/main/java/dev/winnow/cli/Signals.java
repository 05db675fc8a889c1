package dev.winnow.cli;

/**
 * Makes SIGTERM and SIGINT end the process with status 0 after the shutdown hooks ran (by default
 * the JVM exits 143 or 130). Uses {@code sun.misc.Signal} from the {@code jdk.unsupported} module
 * when present; elsewhere the default handling stays (hooks still run, the status differs).
 */
final class Signals {

  private Signals() {}

  @SuppressWarnings("removal")
  static void exitZeroOn(String... names) {
    for (String name : names) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), s -> System.exit(0));
      } catch (IllegalArgumentException | LinkageError e) {
        // The signal is not available on this platform or VM: keep the default handler.
      }
    }
  }
}
