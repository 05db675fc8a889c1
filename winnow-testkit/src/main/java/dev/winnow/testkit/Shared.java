package dev.winnow.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the read-only shared models and data ({@code -Dwinnow.shared}, default {@code
 * ../shared}).
 *
 * <p>On a user's fresh clone the folder is absent: tests that need it are skipped with a message
 * naming the path. Under {@code CI=true} (CI always has it) they fail instead, so they never pass
 * vacuously. Tests must never write into it: copy to a temporary directory first.
 */
public final class Shared {

  private Shared() {}

  /** The shared root, whether or not it exists. */
  public static Path root() {
    return Paths.get(System.getProperty("winnow.shared", "../shared")).toAbsolutePath().normalize();
  }

  /**
   * The path {@code root/relative}, or skips (fails under CI) the calling test when it is missing.
   */
  public static Path require(String relative) {
    Path p = root().resolve(relative);
    if (!Files.exists(p)) {
      String message =
          "needs "
              + p
              + " (shared models/data; set -Dwinnow.shared=DIR to point elsewhere), which is missing";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + " and CI=true, where it must exist");
      }
      Assumptions.abort(message + ": skipped");
    }
    return p;
  }

  public static Path tinyFixture() {
    return require("models/tiny-ce-fixture");
  }

  public static Path miniLmFixture() {
    return require("models/minilm-l6-ce-fixture");
  }

  public static Path scifact() {
    return require("data/scifact");
  }
}
