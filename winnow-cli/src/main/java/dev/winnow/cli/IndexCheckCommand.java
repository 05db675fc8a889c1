package dev.winnow.cli;

import dev.winnow.index.IndexIntegrity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code winnow index check DIR}: Lucene's CheckIndex over an index; exit 1 when damaged. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Check an index with Lucene's CheckIndex: checksums of every file, then postings, norms,"
          + " stored fields and vectors read back. Prints what is damaged and how many documents"
          + " a repair would drop.",
      "Exit 0 when clean, 1 when damaged, 2 on bad input (no such directory, index in use)."
    })
final class IndexCheckCommand implements Callable<Integer> {

  @Parameters(paramLabel = "DIR", description = "index directory")
  Path index;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    IndexIntegrity.Report report = IndexIntegrity.check(index);
    PrintWriter out = spec.commandLine().getOut();
    report.lines().forEach(out::println);
    out.flush();
    return report.clean() ? 0 : 1;
  }
}
