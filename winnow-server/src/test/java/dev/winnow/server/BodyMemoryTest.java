package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 3: a body costs what has arrived, not what its {@code Content-Length} declares.
 * 200 connections each declaring 8 MiB and sending 1 KiB used to make the server allocate 8 MiB
 * each (1.6 GB) before a byte arrived; now the heap grows by about what was sent.
 */
class BodyMemoryTest {

  static final int CONNECTIONS = 200;
  static final int SENT = 1024;

  @Test
  void declaredLengths_costNothingUntilBytesArrive() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (WinnowServer server =
        new WinnowServer(new FakeCrossEncoder(), ServerConfig.DEFAULTS.withPort(0)).start()) {
      Http.get(server.baseUrl() + "/health");
      long before = usedAfterGc(memory);
      List<Socket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < CONNECTIONS; i++) {
          Socket s = new Socket("127.0.0.1", server.port());
          OutputStream out = s.getOutputStream();
          out.write(
              ("POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 8388608\r\n\r\n{\"query\":\"q\",\"documents\":[\""
                      + "x".repeat(SENT - 29))
                  .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          sockets.add(s);
        }
        // every connection's bytes have been read once /health answers behind them
        Thread.sleep(500);
        assertThat(Http.get(server.baseUrl() + "/health").status()).isEqualTo(200);
        long held = usedAfterGc(memory) - before;
        // bytes received plus a small constant per connection (Jetty's own state included)
        assertThat(held)
            .as("heap held by %d connections of %d bytes each", CONNECTIONS, SENT)
            .isLessThan(CONNECTIONS * (SENT + 64L * 1024));
      } finally {
        for (Socket s : sockets) {
          close(s);
        }
      }
    }
  }

  private static long usedAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
