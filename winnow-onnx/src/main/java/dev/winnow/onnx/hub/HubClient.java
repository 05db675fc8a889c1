package dev.winnow.onnx.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.ModelSafety;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Downloads models from a Hugging Face-compatible hub into the shared hub cache ({@link HubCache}),
 * speaking the hub's own protocol: {@code GET /api/models/ORG/NAME/revision/REV} lists the files
 * and the commit, {@code HEAD /ORG/NAME/resolve/COMMIT/PATH} gives each file's etag ({@code
 * X-Linked-Etag}, the sha256 of Git LFS files, or {@code ETag}) and size ({@code X-Linked-Size} or
 * {@code Content-Length}), and {@code GET} on the same URL fetches it.
 *
 * <p>Only what inference needs is fetched: {@code config.json}, {@code tokenizer.json}, and when
 * present {@code tokenizer_config.json}, {@code special_tokens_map.json}, {@code vocab.txt}; the
 * ONNX file of the variant ({@code onnx/model.onnx}, {@code onnx/model_qint8.onnx} for {@code
 * qint8}, ... or the same at the root); and the external-data files that ONNX file refers to.
 * Pickle weights are never fetched. All files come from one commit, the one the revision pointed to
 * when listed.
 *
 * <p>Trust: the endpoint ({@link HubConfig#endpoint()}) is the only trusted origin. The token is
 * sent only to it, and redirects are followed freely only within it. A redirect to another origin
 * (the hub's CDN, which serves Git LFS files) is followed only for a file whose sha256 the endpoint
 * announced, without the token and never from https down to http; the bytes are then verified
 * against that sha256. Every file's size is verified; a failed download leaves nothing in the
 * cache.
 *
 * <p>Offline ({@link HubConfig#offline()}) the cache alone answers. Online, a hub that cannot be
 * reached falls back to a complete cached snapshot of the same revision.
 *
 * <p>Thread-safe: immutable, over a thread-safe {@link HttpClient}; concurrent pulls, also from
 * other processes, write under unique temporary names and rename atomically.
 */
public final class HubClient {

  private static final List<String> REQUIRED = List.of("config.json", "tokenizer.json");
  private static final List<String> OPTIONAL =
      List.of("tokenizer_config.json", "special_tokens_map.json", "vocab.txt");
  private static final int MAX_REDIRECTS = 5;
  private static final long MAX_LISTING_BYTES = 32L << 20;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final HubConfig config;
  private final HubCache cache;
  private final HttpClient http;
  private final Consumer<String> log;
  private final ObjectMapper json = new ObjectMapper();

  /** A client for {@code config}, silent. */
  public HubClient(HubConfig config) {
    this(config, line -> {});
  }

  /** A client for {@code config} that reports each download to {@code log} (one line each). */
  public HubClient(HubConfig config, Consumer<String> log) {
    this.config = config;
    this.cache = new HubCache(config.cacheDir());
    this.log = log;
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER) // redirects are checked one by one
            .connectTimeout(Duration.ofSeconds(30))
            .build();
  }

  /** A client configured from this process's environment ({@link HubConfig#fromEnvironment()}). */
  public static HubClient fromEnvironment() {
    return new HubClient(HubConfig.fromEnvironment());
  }

  public HubConfig config() {
    return config;
  }

  /**
   * Makes {@code id} with the ONNX file of {@code variant} ({@link ModelFolder#DEFAULT_VARIANT},
   * {@code qint8}, ...) present in the cache and returns its snapshot. Files already cached for the
   * same commit are not fetched again.
   *
   * @throws IllegalArgumentException if {@code variant} is not a variant name
   * @throws HubException if the hub refuses, a download fails, or (offline) the cache lacks it
   */
  public Snapshot pull(ModelId id, String variant) {
    String onnxName = onnxFileName(variant);
    if (config.offline()) {
      return lookup(id, onnxName)
          .orElseThrow(
              () ->
                  new HubException(
                      "HF_HUB_OFFLINE is set and "
                          + id
                          + " (variant "
                          + variant
                          + ") is not complete in the hub cache "
                          + cache.repo(id)
                          + " ("
                          + missing(id, onnxName)
                          + "); pull it once with network access: winnow models pull "
                          + id));
    }
    Listing listing;
    try {
      listing = list(id);
    } catch (IOException e) {
      Optional<Snapshot> cached = lookup(id, onnxName);
      if (cached.isPresent()) {
        log.accept("cannot reach " + config.endpoint() + " (" + e + "); using the cached " + id);
        return cached.get();
      }
      throw new HubException(
          "cannot reach the hub " + config.endpoint() + " to list " + id + ": " + e, e);
    }
    String onnxPath = chooseOnnx(id, variant, onnxName, listing.files());
    List<String> wanted = new ArrayList<>();
    for (String file : REQUIRED) {
      if (!listing.files().contains(file)) {
        throw new HubException(
            id
                + " has no "
                + file
                + " at the root of commit "
                + listing.commit()
                + "; Winnow needs config.json, tokenizer.json and an ONNX export");
      }
      wanted.add(file);
    }
    OPTIONAL.stream().filter(listing.files()::contains).forEach(wanted::add);
    wanted.add(onnxPath);

    long[] fetched = new long[2]; // files, bytes
    for (String file : wanted) {
      fetch(id, listing.commit(), file, fetched);
    }
    Path snapshot = cache.snapshot(id, listing.commit());
    Path onnx = snapshot.resolve(onnxPath);
    for (String data : externalData(onnx, onnxPath)) {
      if (!listing.files().contains(data)) {
        throw new HubException(
            onnxPath + " of " + id + " refers to external data " + data + ", which the repo lacks");
      }
      fetch(id, listing.commit(), data, fetched);
      wanted.add(data);
    }
    ModelSafety.check(snapshot, onnx);
    try {
      cache.writeRef(id, listing.commit());
    } catch (IOException e) {
      throw new HubException("cannot record " + id + " in " + cache.repo(id) + ": " + e, e);
    }
    return new Snapshot(id, listing.commit(), snapshot, wanted, (int) fetched[0], fetched[1]);
  }

  /**
   * The cached snapshot of {@code id} if it holds everything {@link #pull} would fetch for {@code
   * variant}. Never touches the network.
   */
  public Optional<Snapshot> cached(ModelId id, String variant) {
    return lookup(id, onnxFileName(variant));
  }

  // --- cache lookups ----------------------------------------------------------------------------

  private Optional<Snapshot> lookup(ModelId id, String onnxName) {
    Optional<String> commit = cache.commitOf(id);
    if (commit.isEmpty()) {
      return Optional.empty();
    }
    Path snapshot = cache.snapshot(id, commit.get());
    List<String> files = new ArrayList<>();
    for (String f : REQUIRED) {
      if (!Files.isRegularFile(snapshot.resolve(f))) {
        return Optional.empty();
      }
      files.add(f);
    }
    OPTIONAL.stream().filter(f -> Files.isRegularFile(snapshot.resolve(f))).forEach(files::add);
    String onnxPath =
        Files.isRegularFile(snapshot.resolve("onnx").resolve(onnxName))
            ? "onnx/" + onnxName
            : onnxName;
    if (!Files.isRegularFile(snapshot.resolve(onnxPath))) {
      return Optional.empty();
    }
    files.add(onnxPath);
    for (String data : externalData(snapshot.resolve(onnxPath), onnxPath)) {
      if (!Files.isRegularFile(snapshot.resolve(data))) {
        return Optional.empty();
      }
      files.add(data);
    }
    return Optional.of(new Snapshot(id, commit.get(), snapshot, files, 0, 0));
  }

  private String missing(ModelId id, String onnxName) {
    Optional<String> commit = cache.commitOf(id);
    if (commit.isEmpty()) {
      return "no refs/" + id.revision();
    }
    Path snapshot = cache.snapshot(id, commit.get());
    List<String> absent = new ArrayList<>();
    for (String f : REQUIRED) {
      if (!Files.isRegularFile(snapshot.resolve(f))) {
        absent.add(f);
      }
    }
    if (!Files.isRegularFile(snapshot.resolve("onnx").resolve(onnxName))
        && !Files.isRegularFile(snapshot.resolve(onnxName))) {
      absent.add("onnx/" + onnxName);
    }
    return "snapshot "
        + commit.get()
        + " lacks "
        + (absent.isEmpty() ? "external data" : String.join(", ", absent));
  }

  /**
   * External-data paths of {@code onnx} (at {@code onnxPath} in the repo), checked, repo-relative.
   */
  private static List<String> externalData(Path onnx, String onnxPath) {
    Set<String> paths = new LinkedHashSet<>();
    int slash = onnxPath.lastIndexOf('/');
    String dir = slash < 0 ? "" : onnxPath.substring(0, slash + 1);
    for (String location : ModelSafety.externalDataLocations(onnx)) {
      ModelSafety.checkLocation(onnx, location);
      paths.add(
          Stream.of((dir + location).split("/"))
              .filter(seg -> !seg.isEmpty() && !seg.equals("."))
              .collect(Collectors.joining("/")));
    }
    return List.copyOf(paths);
  }

  private static String chooseOnnx(ModelId id, String variant, String onnxName, Set<String> files) {
    for (String candidate : List.of("onnx/" + onnxName, onnxName)) {
      if (files.contains(candidate)) {
        return candidate;
      }
    }
    List<String> onnx = files.stream().filter(f -> f.endsWith(".onnx")).sorted().toList();
    List<String> pickles =
        files.stream()
            .filter(f -> Stream.of(".bin", ".pt", ".pth", ".pkl", ".ckpt").anyMatch(f::endsWith))
            .sorted()
            .toList();
    String detail =
        onnx.isEmpty()
            ? (pickles.isEmpty()
                ? "it has no ONNX file at all"
                : "it has only pickle weights ("
                    + String.join(", ", pickles)
                    + "), which are never downloaded or loaded; an ONNX export is needed")
            : "ONNX files there: " + String.join(", ", onnx);
    throw new HubException(
        id
            + " has no onnx/"
            + onnxName
            + " or "
            + onnxName
            + " for variant "
            + variant
            + "; "
            + detail);
  }

  static String onnxFileName(String variant) {
    if (!variant.matches("[A-Za-z0-9_]{1,64}")) {
      throw new IllegalArgumentException(
          "variant must be letters, digits or '_' (e.g. default, qint8, quantized, O2), got '"
              + variant
              + "'");
    }
    return ModelFolder.DEFAULT_VARIANT.equals(variant)
        ? "model.onnx"
        : "model_" + variant + ".onnx";
  }

  // --- the hub protocol -------------------------------------------------------------------------

  private record Listing(String commit, Set<String> files) {}

  private record FileMeta(String etag, long size) {}

  /** Lists the repo at {@code id.revision()}; IOException when the hub cannot be reached. */
  private Listing list(ModelId id) throws IOException {
    URI uri =
        URI.create(
            config.endpoint()
                + "/api/models/"
                + enc(id.org())
                + "/"
                + enc(id.name())
                + "/revision/"
                + enc(id.revision()));
    for (int hop = 0; ; hop++) {
      HttpResponse<InputStream> r =
          send(request(uri, "GET"), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = r.body()) {
        int status = r.statusCode();
        if (isRedirect(status)) {
          uri = sameOriginRedirect(uri, r.headers(), hop, "the listing of " + id);
          continue;
        }
        if (status != 200) {
          throw statusError(status, r.headers(), "the listing", id);
        }
        byte[] bytes = body.readNBytes((int) MAX_LISTING_BYTES + 1);
        if (bytes.length > MAX_LISTING_BYTES) {
          throw new HubException("the listing of " + id + " is larger than 32 MiB; refused");
        }
        return parseListing(id, bytes);
      }
    }
  }

  private Listing parseListing(ModelId id, byte[] bytes) {
    JsonNode root;
    try {
      root = json.readTree(bytes);
    } catch (IOException e) {
      throw new HubException("the hub's listing of " + id + " is not JSON: " + e.getMessage(), e);
    }
    String commit = root.path("sha").asText("");
    if (!HubCache.COMMIT.matcher(commit).matches()) {
      throw new HubException(
          "the hub's listing of " + id + " has no valid commit 'sha' (got '" + clip(commit) + "')");
    }
    Set<String> files = new LinkedHashSet<>();
    for (JsonNode sibling : root.path("siblings")) {
      String name = sibling.path("rfilename").asText("");
      if (!name.isEmpty()) {
        files.add(name);
      }
    }
    return new Listing(commit, files);
  }

  /** Puts {@code path} at {@code commit} into the snapshot, fetching it unless cached. */
  private void fetch(ModelId id, String commit, String path, long[] fetched) {
    if (Files.isRegularFile(cache.snapshot(id, commit).resolve(path))) {
      return; // a commit's files never change
    }
    try {
      FileMeta meta = head(id, commit, path);
      Optional<Path> blob = cache.blob(id, meta.etag(), meta.size());
      if (blob.isEmpty()) {
        log.accept(
            "downloading "
                + path
                + " of "
                + id
                + (meta.size() >= 0
                    ? String.format(Locale.ROOT, " (%,d bytes)", meta.size())
                    : ""));
        blob = Optional.of(download(id, commit, path, meta));
        fetched[0]++;
        fetched[1] += Files.size(blob.get());
      }
      cache.link(id, commit, path, blob.get());
    } catch (IOException e) {
      throw new HubException("cannot fetch " + path + " of " + id + ": " + e, e);
    }
  }

  private URI resolveUri(ModelId id, String commit, String path) {
    String encodedPath =
        Stream.of(path.split("/")).map(HubClient::enc).collect(Collectors.joining("/"));
    return URI.create(
        config.endpoint()
            + "/"
            + enc(id.org())
            + "/"
            + enc(id.name())
            + "/resolve/"
            + enc(commit)
            + "/"
            + encodedPath);
  }

  /**
   * HEAD of a file, as huggingface_hub does it: redirects within the endpoint are followed; the
   * etag and size are read from the first other answer, also when that is a redirect off the
   * endpoint (to the CDN, which is not contacted).
   */
  private FileMeta head(ModelId id, String commit, String path) throws IOException {
    URI uri = resolveUri(id, commit, path);
    for (int hop = 0; ; hop++) {
      HttpResponse<Void> r = send(request(uri, "HEAD"), HttpResponse.BodyHandlers.discarding());
      int status = r.statusCode();
      HttpHeaders h = r.headers();
      if (isRedirect(status)) {
        URI next = redirectTarget(uri, h, hop, path + " of " + id);
        if (sameOrigin(next, config.endpoint())) {
          uri = next; // e.g. the hub's /api/resolve-cache/ for regular files, or a renamed repo
          continue;
        }
        // a redirect off the endpoint (to the CDN): the metadata is on this answer
      }
      Optional<String> etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag"));
      if ((status / 100 == 2 || isRedirect(status)) && etag.isPresent()) {
        String repoCommit = h.firstValue("X-Repo-Commit").orElse(commit);
        if (!repoCommit.equals(commit)) {
          throw new HubException(
              "the hub answered "
                  + path
                  + " of "
                  + id
                  + " for commit "
                  + clip(repoCommit)
                  + ", expected "
                  + commit);
        }
        long size =
            h.firstValueAsLong("X-Linked-Size")
                .orElse(status / 100 == 2 ? h.firstValueAsLong("Content-Length").orElse(-1) : -1);
        return new FileMeta(normalizeEtag(etag.get(), id, path), size);
      }
      if (status / 100 == 2 || isRedirect(status)) {
        throw new HubException(
            "the hub sent no ETag or X-Linked-Etag for "
                + path
                + " of "
                + id
                + (isRedirect(status) ? " with its redirect off the endpoint" : "")
                + "; it does not speak the hub protocol");
      }
      throw statusError(status, h, path, id);
    }
  }

  private Path download(ModelId id, String commit, String path, FileMeta meta) throws IOException {
    URI uri = resolveUri(id, commit, path);
    boolean verifiable = HubCache.SHA256.matcher(meta.etag()).matches();
    for (int hop = 0; ; hop++) {
      HttpResponse<InputStream> r =
          send(request(uri, "GET"), HttpResponse.BodyHandlers.ofInputStream());
      int status = r.statusCode();
      if (isRedirect(status)) {
        r.body().close();
        URI next = redirectTarget(uri, r.headers(), hop, path + " of " + id);
        if (!sameOrigin(next, config.endpoint())) {
          boolean downgrade =
              "https".equalsIgnoreCase(uri.getScheme())
                  && !"https".equalsIgnoreCase(next.getScheme());
          if (!verifiable || downgrade) {
            throw new HubException(
                "refusing the redirect of "
                    + path
                    + " of "
                    + id
                    + " to "
                    + next.getScheme()
                    + "://"
                    + next.getAuthority()
                    + ": only the endpoint "
                    + config.endpoint()
                    + " is trusted: bytes from another host are accepted only when the endpoint"
                    + " announced their sha256, and never over a downgrade from https to http"
                    + (verifiable ? "" : " (it announced etag " + meta.etag() + ")"));
          }
        }
        uri = next;
        continue;
      }
      if (status != 200) {
        r.body().close();
        throw statusError(status, r.headers(), path, id);
      }
      long size =
          meta.size() >= 0
              ? meta.size()
              : r.headers().firstValueAsLong("Content-Length").orElse(-1);
      return cache.store(id, meta.etag(), size, r.body(), path);
    }
  }

  private HttpRequest request(URI uri, String method) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("User-Agent", "winnow-hub-client");
    if (config.token().isPresent() && sameOrigin(uri, config.endpoint())) {
      b.header("Authorization", "Bearer " + config.token().get());
    }
    return b.build();
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return http.send(request, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException("interrupted while talking to " + config.endpoint(), e);
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private URI redirectTarget(URI from, HttpHeaders headers, int hop, String what) {
    if (hop >= MAX_REDIRECTS) {
      throw new HubException("more than " + MAX_REDIRECTS + " redirects for " + what);
    }
    String location =
        headers
            .firstValue("Location")
            .orElseThrow(() -> new HubException("a redirect without Location for " + what));
    URI next;
    try {
      next = from.resolve(new URI(location));
    } catch (java.net.URISyntaxException e) {
      throw new HubException("a redirect to a malformed URL for " + what, e);
    }
    String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || next.getHost() == null) {
      throw new HubException("refusing a redirect to a non-http(s) URL for " + what);
    }
    return next;
  }

  private URI sameOriginRedirect(URI from, HttpHeaders headers, int hop, String what) {
    URI next = redirectTarget(from, headers, hop, what);
    if (!sameOrigin(next, config.endpoint())) {
      throw new HubException(
          "refusing the redirect of "
              + what
              + " to "
              + next.getScheme()
              + "://"
              + next.getAuthority()
              + ": only the endpoint "
              + config.endpoint()
              + " is trusted");
    }
    return next;
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private static String normalizeEtag(String raw, ModelId id, String path) {
    String etag = raw.strip();
    if (etag.startsWith("W/")) {
      etag = etag.substring(2);
    }
    if (etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
      etag = etag.substring(1, etag.length() - 1);
    }
    if (!HubCache.ETAG.matcher(etag).matches()) {
      throw new HubException(
          "the hub sent an unusable etag '" + clip(etag) + "' for " + path + " of " + id);
    }
    return etag;
  }

  private HubException statusError(int status, HttpHeaders h, String what, ModelId id) {
    String hint =
        switch (status) {
          case 401 -> "the repo is private or gated and HF_TOKEN is missing or not accepted";
          case 403 ->
              "access refused (a gated repo needs its terms accepted, or HF_TOKEN lacks"
                  + " permission)";
          case 404 -> "not found: check ORG/NAME and the revision";
          case 429 -> "rate limited: retry later, or set HF_TOKEN";
          default -> "unexpected answer";
        };
    String server =
        h.firstValue("X-Error-Message").map(m -> " (hub says: " + clip(m) + ")").orElse("");
    return new HubException(
        config.endpoint()
            + " answered HTTP "
            + status
            + " for "
            + what
            + " of "
            + id
            + ": "
            + hint
            + server);
  }

  /** A server-provided string made safe to print: printable ASCII, at most 200 characters. */
  private static String clip(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7E]", "?");
    return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
