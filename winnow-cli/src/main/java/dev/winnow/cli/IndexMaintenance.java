package dev.winnow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Puts {@code check} and {@code repair} under {@code winnow index}: beside the indexing command
 * when one is registered, else under this bare {@code index} parent. Kept apart from the indexing
 * command so that either can change without the other.
 */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    description = "Index maintenance: check and repair.",
    subcommands = {IndexCheckCommand.class, IndexRepairCommand.class})
final class IndexMaintenance {

  static void register(CommandLine root) {
    CommandLine index = root.getSubcommands().get("index");
    if (index == null) {
      root.addSubcommand(new IndexMaintenance());
      return;
    }
    for (Class<?> c : new Class<?>[] {IndexCheckCommand.class, IndexRepairCommand.class}) {
      CommandLine sub = new CommandLine(c);
      if (!index.getSubcommands().containsKey(sub.getCommandName())) {
        index.addSubcommand(sub);
      }
    }
  }
}
