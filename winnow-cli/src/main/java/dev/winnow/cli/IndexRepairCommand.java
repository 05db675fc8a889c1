package dev.winnow.cli;

import dev.winnow.index.IndexIntegrity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code winnow index repair DIR --yes}: drops the damaged segments of an index. Without {@code
 * --yes} it only says what would be lost.
 */
@Command(
    name = "repair",
    mixinStandardHelpOptions = true,
    description = {
      "Repair a damaged index by dropping its damaged segments (Lucene CheckIndex -exorcise) on a"
          + " copy, checking the copy, and swapping it in; the damaged original is kept beside it"
          + " as DIR.corrupt-<time>.",
      "The documents of the damaged segments are LOST: without --yes this only prints how many.",
      "Exit 0 after a repair, 1 when it was not done (needs --yes, or not repairable), 2 on bad"
          + " input."
    })
final class IndexRepairCommand implements Callable<Integer> {

  @Parameters(paramLabel = "DIR", description = "index directory (stop any server writing it)")
  Path index;

  @Option(names = "--yes", description = "really drop the damaged segments")
  boolean yes;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    IndexIntegrity.Report report = IndexIntegrity.check(index);
    report.lines().forEach(out::println);
    if (report.clean()) {
      out.println("nothing to repair");
      out.flush();
      return 0;
    }
    if (!report.repairable()) {
      out.flush();
      return 1;
    }
    if (!yes) {
      out.printf(
          Locale.ROOT,
          "not repaired: this would drop %d of %d document(s); run again with --yes to proceed%n",
          report.documentsLost(),
          report.documents());
      out.flush();
      return 1;
    }
    IndexIntegrity.Repair r = IndexIntegrity.repair(index);
    out.printf(
        Locale.ROOT,
        "repaired %s: dropped %d document(s), kept %d; the damaged original is at %s%n",
        index,
        r.documentsDropped(),
        r.documentsKept(),
        r.backup());
    out.flush();
    return 0;
  }
}
