package dev.winnow.cli;

import dev.winnow.eval.EvalRunner;
import dev.winnow.eval.Regression;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code winnow regress}: runs regression YAML files and prints OK or FAIL per metric; exits 1 when
 * any metric is outside its tolerance.
 */
@Command(
    name = "regress",
    mixinStandardHelpOptions = true,
    description = {
      "Run regressions (YAML: dataset, split, pipeline, expected metrics with tolerances)"
          + " and check every metric.",
      "Exit status: 0 all OK, 1 some metric FAILed, 2 bad input."
    })
public final class RegressCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "regression YAML files")
  List<Path> files;

  @Option(
      names = "--shared",
      paramLabel = "DIR",
      description = "root that datasets are relative to (default: -Dwinnow.shared, or ../shared)")
  Path shared;

  @Option(
      names = "--index",
      paramLabel = "DIR",
      description = "index to use or build (one regression only; default: a cached index)")
  Path index;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (index != null && files.size() > 1) {
      throw new IllegalArgumentException(
          "--index can serve one regression only, got " + files.size() + " files");
    }
    Path root =
        shared != null
            ? shared
            : Path.of(System.getProperty("winnow.shared", "../shared")).toAbsolutePath();
    boolean allOk = true;
    for (Path file : files) {
      Regression r = Regression.load(file);
      Regression.Result result = r.run(root, Optional.ofNullable(index), EvalRunner.Progress.NONE);
      out.printf(
          Locale.ROOT,
          "%s: %s on %s (%s), %d queries%n",
          r.name(),
          result.report().pipeline(),
          r.dataset(),
          r.split(),
          result.report().evaluation().queries());
      for (Regression.Check c : result.checks()) {
        out.printf(
            Locale.ROOT,
            "  %-4s %-11s %.4f  expected %.4f ± %.4f%n",
            c.ok() ? "OK" : "FAIL",
            c.expectation().metric().label(),
            c.actual(),
            c.expectation().expected(),
            c.expectation().tolerance());
      }
      allOk &= result.ok();
    }
    out.println(allOk ? "all metrics OK" : "FAIL: some metrics are outside their tolerance");
    out.flush();
    return allOk ? 0 : 1;
  }
}
