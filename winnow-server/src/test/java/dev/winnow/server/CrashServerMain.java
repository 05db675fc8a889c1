package dev.winnow.server;

import dev.winnow.index.WinnowIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The server process that {@link CrashRecoveryIT} kills: an ingestion server over the index in
 * {@code args[0]} with the fake scorer (no model needed to ingest), on a free loopback port that it
 * writes to {@code args[1]} once it answers. Runs until killed.
 */
final class CrashServerMain {

  private CrashServerMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path portFile = Path.of(args[1]);
    WinnowIndex index = WinnowIndex.open(dir);
    WinnowServer server =
        new WinnowServer(
                new FakeCrossEncoder(), ServerConfig.DEFAULTS.withPort(0), Optional.of(index))
            .start();
    Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
    Files.writeString(tmp, Integer.toString(server.port()), StandardCharsets.UTF_8);
    Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
    Thread.currentThread().join();
  }
}
