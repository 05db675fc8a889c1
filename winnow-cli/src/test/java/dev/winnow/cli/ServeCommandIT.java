package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.testkit.Shared;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code winnow serve} as a real process (the shaded {@code winnow.jar}) on the tiny fixture: it
 * answers a rerank, then SIGTERM (what {@link Process#destroy} sends on Unix) lets a request in
 * flight finish and the process exit with status 0.
 */
class ServeCommandIT {

  private static final Pattern SERVING = Pattern.compile("serving .* on (http://\\S+) ");

  @Test
  void serve_answersThenDrainsOnSigtermAndExitsZero() throws Exception {
    Path model = Shared.tinyFixture();
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-DRUST_FLAVOR=cpu");
    // The shaded jar users run (built at package, before failsafe). The unshaded test classpath
    // is not used: ONNX Runtime crashes the child JVM (SIGSEGV) when loaded from it.
    Path jar = Paths.get("target", "winnow.jar");
    assertThat(jar).as("the shaded CLI jar (mvn package)").exists();
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(List.of("serve", "--model", model.toString(), "--port", "0", "--threads", "1"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String base = null;
      StringBuilder log = new StringBuilder();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        log.append(line).append('\n');
        Matcher m = SERVING.matcher(line);
        if (m.find()) {
          base = m.group(1);
          break;
        }
      }
      if (base == null) {
        p.waitFor(10, TimeUnit.SECONDS);
      }
      assertThat(base)
          .as(
              "no 'serving' line (exit %s) in: %s; command %s",
              p.isAlive() ? "-" : p.exitValue(), log, cmd)
          .isNotNull();
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> first =
          client.send(rerank(base, 3), HttpResponse.BodyHandlers.ofString());
      assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

      CompletableFuture<HttpResponse<String>> inFlight =
          client.sendAsync(rerank(base, 1000), HttpResponse.BodyHandlers.ofString());
      Thread.sleep(200);
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      HttpResponse<String> last = inFlight.get(10, TimeUnit.SECONDS);
      assertThat(last.statusCode()).as(last.body()).isEqualTo(200);
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  private static HttpRequest rerank(String base, int documents) {
    StringBuilder docs = new StringBuilder();
    for (int i = 0; i < documents; i++) {
      docs.append(i == 0 ? "" : ",")
          .append("\"document number ")
          .append(i)
          .append(" talks about cats and dogs and many other things\"");
    }
    String body = "{\"query\":\"cats\",\"documents\":[" + docs + "]}";
    return HttpRequest.newBuilder(URI.create(base + "/v2/rerank"))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }
}
