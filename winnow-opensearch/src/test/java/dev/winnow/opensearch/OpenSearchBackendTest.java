package dev.winnow.opensearch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failures of the cluster become messages that name the URL and the index. */
class OpenSearchBackendTest {

  @Test
  void search_nodeThatNeverAnswers_timesOutNamingUrlAndIndex() throws Exception {
    // Accepts connections and reads nothing back: a hung node.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> held = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(silent.accept());
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      String url = "http://127.0.0.1:" + silent.getLocalPort();
      try (OpenSearchBackend b =
          OpenSearchBackend.connect(
              OpenSearchConfig.of(url, "hung").withTimeout(Duration.ofSeconds(1)))) {
        assertThatThrownBy(() -> b.searchText("cat", 10, "bm25"))
            .isInstanceOf(OpenSearchClusterException.class)
            .hasMessageContaining(url)
            .hasMessageContaining("index 'hung'")
            .hasMessageContaining("timed out after 1 s");
      }
    }
  }

  @Test
  void search_badK_isRefusedBeforeAnyRequest() {
    try (OpenSearchBackend b =
        OpenSearchBackend.connect(OpenSearchConfig.of("http://127.0.0.1:1", "x"))) {
      assertThatThrownBy(() -> b.searchText("cat", 0, "bm25"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("k must be >= 1, got 0");
      assertThatThrownBy(() -> b.searchVector(new float[] {1f, Float.NaN}, 5, "dense"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("query vector[1] must be finite, got NaN");
    }
  }
}
