package dev.winnow.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One {@code winnow} invocation in this JVM, as the command-line tests run it. */
record CliRun(int code, String out, String err) {

  static CliRun of(String... args) {
    CommandLine cl = Winnow.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }
}
