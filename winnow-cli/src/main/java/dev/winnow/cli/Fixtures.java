package dev.winnow.cli;

import dev.winnow.onnx.ModelFolder;
import dev.winnow.pipeline.Cascades;
import java.io.PrintWriter;
import java.util.function.Consumer;

/**
 * Every command's one rule for test-fixture models ({@link Cascades#fixtureWarning}): used, with a
 * banner on stderr before anything else is printed. Never refused, never silent.
 */
final class Fixtures {

  private Fixtures() {}

  /** Shows the banner when {@code folder} is a fixture; returns the folder. */
  static ModelFolder announce(ModelFolder folder, PrintWriter err) {
    Cascades.fixtureWarning(folder).ifPresent(to(err));
    return folder;
  }

  /** Where pipeline builders send their warnings: stderr, as the CLI's other messages. */
  static Consumer<String> to(PrintWriter err) {
    return message -> {
      err.println("winnow: " + message);
      err.flush();
    };
  }
}
