package dev.winnow.examples;

import dev.winnow.api.CrossEncoder;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.server.ServerConfig;
import dev.winnow.server.WinnowServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/**
 * The rerank server as a component of an application: started on a free loopback port, asked once
 * in the Cohere v2 dialect, stopped (draining requests in flight) by try-with-resources.
 *
 * <p>Argument: a cross-encoder folder in the Hugging Face layout.
 */
public final class EmbeddedServer {

  private EmbeddedServer() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path modelDir = Path.of(args[0]);
    // tag::server[]
    try (CrossEncoder model = OnnxCrossEncoder.open(ModelFolder.open(modelDir));
        WinnowServer server = new WinnowServer(model, ServerConfig.DEFAULTS.withPort(0)).start()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v2/rerank"))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"query\": \"fever\", \"top_n\": 2, \"documents\":"
                          + " [\"Statins lower cholesterol.\", \"Aspirin reduces fever.\"]}"))
              .build();
      HttpResponse<String> response =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      System.out.println(response.statusCode() + " " + response.body());
    }
    // end::server[]
  }
}
