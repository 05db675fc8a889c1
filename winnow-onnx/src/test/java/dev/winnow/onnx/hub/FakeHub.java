package dev.winnow.onnx.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Hugging Face-like hub on loopback serving one repository, {@code fixture/tiny}, with the real
 * protocol: the API listing; HEAD/GET on {@code resolve/}, which for a regular file answers 307 to
 * the same-origin {@code /api/resolve-cache/...} (where {@code ETag} is its git blob sha1, with
 * {@code X-Repo-Commit} and {@code Content-Length}), and for an LFS file answers 302 to a CDN on
 * another origin (a second server), carrying {@code X-Linked-Etag} (sha256), {@code X-Linked-Size}
 * and {@code X-Repo-Commit}. Knobs let tests cut a download off, corrupt it, demand a token, or
 * send a regular file to the CDN. Every request is recorded.
 */
final class FakeHub implements AutoCloseable {

  static final String ORG = "fixture";
  static final String NAME = "tiny";
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  record Request(String method, String path, Optional<String> authorization, boolean cdn) {}

  final Map<String, byte[]> files;
  final Set<String> lfs;
  final List<Request> requests = new CopyOnWriteArrayList<>();

  volatile String truncate = "";
  volatile String corrupt = "";
  volatile Optional<String> requiredToken = Optional.empty();

  /** When set, GET of this (regular) file redirects to the other-origin CDN. */
  volatile String redirectRegularElsewhere = "";

  private final HttpServer hub;
  private final HttpServer cdn;

  FakeHub(Map<String, byte[]> files, Set<String> lfs) throws IOException {
    this.files = new LinkedHashMap<>(files);
    this.lfs = Set.copyOf(lfs);
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    hub = HttpServer.create(loopback, 0);
    hub.createContext("/", ex -> handle(ex, false));
    hub.start();
    cdn = HttpServer.create(loopback, 0);
    cdn.createContext("/", ex -> handle(ex, true));
    cdn.start();
  }

  /** The tiny fixture as a repo: its files, the ONNX as LFS, plus a pickle that must not move. */
  static Map<String, byte[]> tinyRepo(Path fixture) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String f :
        List.of(
            "README.md",
            "config.json",
            "golden.jsonl",
            "special_tokens_map.json",
            "tokenizer.json",
            "tokenizer_config.json",
            "vocab.txt",
            "onnx/model.onnx")) {
      files.put(f, Files.readAllBytes(fixture.resolve(f)));
    }
    files.put(
        "pytorch_model.bin",
        "pickle bytes, never to be downloaded".getBytes(StandardCharsets.UTF_8));
    return files;
  }

  URI endpoint() {
    return uri(hub);
  }

  private static URI uri(HttpServer s) {
    return URI.create("http://127.0.0.1:" + s.getAddress().getPort());
  }

  List<Request> gets() {
    return requests.stream().filter(r -> r.method().equals("GET")).toList();
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
  }

  static String sha256(byte[] b) {
    return hex("SHA-256", b);
  }

  static String gitBlobSha1(byte[] b) {
    byte[] header = ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[header.length + b.length];
    System.arraycopy(header, 0, all, 0, header.length);
    System.arraycopy(b, 0, all, header.length, b.length);
    return hex("SHA-1", all);
  }

  private static String hex(String algorithm, byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void handle(HttpExchange ex, boolean isCdn) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
    requests.add(
        new Request(
            method,
            path,
            Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")),
            isCdn));
    try {
      if (path.startsWith("/cdn/")) {
        serveCdn(ex, path.substring("/cdn/".length()));
        return;
      }
      if (isCdn) {
        send(ex, 404, new byte[0]);
        return;
      }
      if (requiredToken.isPresent()
          && !("Bearer " + requiredToken.get())
              .equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        ex.getResponseHeaders().set("X-Error-Code", "GatedRepo");
        ex.getResponseHeaders()
            .set("X-Error-Message", "Access to model fixture/tiny is restricted.");
        send(ex, 401, new byte[0]);
        return;
      }
      String repo = "/" + ORG + "/" + NAME;
      String api = "/api/models" + repo + "/revision/";
      String resolveCache = "/api/resolve-cache/models" + repo + "/";
      if (path.startsWith(api)) {
        listing(ex, path.substring(api.length()));
      } else if (path.startsWith(resolveCache)) {
        String rest = path.substring(resolveCache.length());
        int slash = rest.indexOf('/');
        resolveCache(ex, rest.substring(0, slash), rest.substring(slash + 1));
      } else if (path.startsWith(repo + "/resolve/")) {
        String rest = path.substring((repo + "/resolve/").length());
        int slash = rest.indexOf('/');
        resolve(ex, rest.substring(0, slash), rest.substring(slash + 1));
      } else {
        ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
        send(ex, 404, new byte[0]);
      }
    } finally {
      ex.close();
    }
  }

  private static boolean knownRevision(String rev) {
    return rev.equals("main") || rev.equals(COMMIT);
  }

  private void listing(HttpExchange ex, String rev) throws IOException {
    if (!knownRevision(rev)) {
      ex.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
      send(ex, 404, new byte[0]);
      return;
    }
    List<String> siblings = new ArrayList<>();
    for (String f : files.keySet()) {
      siblings.add("{\"rfilename\":\"" + f + "\"}");
    }
    String body =
        "{\"id\":\""
            + ORG
            + "/"
            + NAME
            + "\",\"sha\":\""
            + COMMIT
            + "\",\"siblings\":["
            + String.join(",", siblings)
            + "]}";
    ex.getResponseHeaders().set("Content-Type", "application/json");
    send(ex, 200, body.getBytes(StandardCharsets.UTF_8));
  }

  private void resolve(HttpExchange ex, String rev, String file) throws IOException {
    byte[] data = files.get(file);
    if (!knownRevision(rev) || data == null) {
      ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
      send(ex, 404, new byte[0]);
      return;
    }
    var h = ex.getResponseHeaders();
    h.set("X-Repo-Commit", COMMIT);
    boolean head = ex.getRequestMethod().equals("HEAD");
    if (lfs.contains(file)) {
      String sha = sha256(data);
      h.set("X-Linked-Etag", "\"" + sha + "\"");
      h.set("X-Linked-Size", Long.toString(data.length));
      h.set("ETag", "\"" + gitBlobSha1(data) + "\"");
      h.set("Location", uri(cdn) + "/cdn/" + sha);
      ex.sendResponseHeaders(302, -1);
      return;
    }
    if (file.equals(redirectRegularElsewhere) && !head) {
      h.set("Location", uri(cdn) + "/cdn/" + sha256(data));
      ex.sendResponseHeaders(302, -1);
      return;
    }
    h.set("Location", "/api/resolve-cache/models/" + ORG + "/" + NAME + "/" + COMMIT + "/" + file);
    ex.sendResponseHeaders(307, -1);
  }

  private void resolveCache(HttpExchange ex, String commit, String file) throws IOException {
    byte[] data = files.get(file);
    if (!commit.equals(COMMIT) || data == null || lfs.contains(file)) {
      send(ex, 404, new byte[0]);
      return;
    }
    var h = ex.getResponseHeaders();
    h.set("X-Repo-Commit", COMMIT);
    h.set("ETag", "\"" + gitBlobSha1(data) + "\"");
    if (ex.getRequestMethod().equals("HEAD")) {
      h.set("Content-Length", Long.toString(data.length));
      ex.sendResponseHeaders(200, -1);
      return;
    }
    body(ex, file, data);
  }

  private void serveCdn(HttpExchange ex, String sha) throws IOException {
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      if (sha256(e.getValue()).equals(sha)) {
        body(ex, e.getKey(), e.getValue());
        return;
      }
    }
    send(ex, 404, new byte[0]);
  }

  /** Sends {@code data}, corrupted or cut off half-way when the knobs say so. */
  private void body(HttpExchange ex, String file, byte[] data) throws IOException {
    byte[] out = data;
    if (file.equals(corrupt)) {
      out = data.clone();
      out[out.length / 2] ^= 0x55;
    }
    ex.sendResponseHeaders(200, out.length);
    OutputStream os = ex.getResponseBody();
    if (file.equals(truncate)) {
      os.write(out, 0, out.length / 2);
      os.flush();
      // Throwing makes the server drop the connection with half the announced bytes sent.
      throw new IOException("fake hub: cutting " + file + " off on purpose");
    }
    os.write(out);
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
  }
}
