package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A small HTTP client for tests: JDK HttpClient for well-formed requests, a raw socket otherwise.
 */
final class Http {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {}

  record Reply(int status, Map<String, java.util.List<String>> headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return "";
    }
  }

  static Reply send(String method, String url, byte[] body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Reply post(String url, String json, String... headers) {
    String[] h = new String[headers.length + 2];
    h[0] = "Content-Type";
    h[1] = "application/json";
    System.arraycopy(headers, 0, h, 2, headers.length);
    return send("POST", url, json.getBytes(StandardCharsets.UTF_8), h);
  }

  static Reply get(String url, String... headers) {
    return send("GET", url, null, headers);
  }

  /** Sends {@code head} (request line and headers, CRLF-terminated) then {@code body} verbatim. */
  static Reply raw(int port, String head, byte[] body) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        all.write(buf, 0, n);
        String sofar = all.toString(StandardCharsets.UTF_8);
        int end = sofar.indexOf("\r\n\r\n");
        if (end > 0) {
          int cl = contentLength(sofar.substring(0, end));
          if (cl >= 0 && all.size() >= end + 4 + cl) {
            break;
          }
        }
      }
      String text = all.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      String status = text.substring(0, text.indexOf("\r\n"));
      int code = Integer.parseInt(status.split(" ")[1]);
      return new Reply(code, Map.of(), end < 0 ? "" : text.substring(end + 4));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return -1;
  }
}
