package dev.winnow.onnx.hub;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where models come from and where they are kept, read from the environment variables {@code
 * huggingface_hub} uses, so Winnow shares its cache with Python tools:
 *
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the hub, default {@code https://huggingface.co}. The only host
 *       trusted: the token goes nowhere else, and bytes from elsewhere (the hub's CDN after a
 *       redirect) are accepted only when the endpoint announced their sha256;
 *   <li>{@code HF_HUB_CACHE}, else {@code HF_HOME/hub}, else {@code
 *       XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}: the cache;
 *   <li>{@code HF_TOKEN}: a token sent as {@code Authorization: Bearer} to the endpoint only, never
 *       printed ({@link #toString()} redacts it);
 *   <li>{@code HF_HUB_OFFLINE} ({@code 1}, {@code true}, {@code yes}, {@code on}): use the cache
 *       only.
 * </ul>
 */
public record HubConfig(URI endpoint, Path cacheDir, Optional<String> token, boolean offline) {

  /** The public Hugging Face hub. */
  public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

  private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");

  public HubConfig {
    endpoint = checkEndpoint(endpoint);
    cacheDir = cacheDir.toAbsolutePath().normalize();
    token.ifPresent(HubConfig::checkToken);
  }

  /** The configuration of this process: {@link System#getenv()} and {@code user.home}. */
  public static HubConfig fromEnvironment() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** The configuration described by {@code env}, with {@code home} standing for {@code ~}. */
  public static HubConfig fromEnvironment(Map<String, String> env, Path home) {
    URI endpoint =
        nonBlank(env, "HF_ENDPOINT").map(HubConfig::parseEndpoint).orElse(DEFAULT_ENDPOINT);
    Path cache =
        nonBlank(env, "HF_HUB_CACHE")
            .map(Path::of)
            .orElseGet(
                () ->
                    nonBlank(env, "HF_HOME")
                        .map(Path::of)
                        .orElseGet(
                            () ->
                                nonBlank(env, "XDG_CACHE_HOME")
                                    .map(Path::of)
                                    .orElse(home.resolve(".cache"))
                                    .resolve("huggingface"))
                        .resolve("hub"));
    Optional<String> token = nonBlank(env, "HF_TOKEN").map(String::strip);
    boolean offline =
        nonBlank(env, "HF_HUB_OFFLINE")
            .map(v -> TRUE.contains(v.strip().toLowerCase(Locale.ROOT)))
            .orElse(false);
    return new HubConfig(endpoint, cache, token, offline);
  }

  /** This configuration with another endpoint (tests, mirrors). */
  public HubConfig withEndpoint(URI newEndpoint) {
    return new HubConfig(newEndpoint, cacheDir, token, offline);
  }

  /** This configuration, offline or not. */
  public HubConfig withOffline(boolean newOffline) {
    return new HubConfig(endpoint, cacheDir, token, newOffline);
  }

  @Override
  public String toString() {
    return "HubConfig[endpoint="
        + endpoint
        + ", cacheDir="
        + cacheDir
        + ", token="
        + (token.isPresent() ? "<set>" : "<none>")
        + ", offline="
        + offline
        + "]";
  }

  private static Optional<String> nonBlank(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
  }

  private static URI parseEndpoint(String value) {
    try {
      return new URI(value.strip());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(
          "HF_ENDPOINT '" + value + "' is not a URL; expected e.g. https://huggingface.co", e);
    }
  }

  private static URI checkEndpoint(URI endpoint) {
    String scheme =
        endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http"))
        || endpoint.getHost() == null
        || endpoint.getRawUserInfo() != null
        || endpoint.getRawQuery() != null
        || endpoint.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "hub endpoint (HF_ENDPOINT) '"
              + endpoint
              + "' must be an http(s) URL with a host and no user info, query or fragment,"
              + " e.g. https://huggingface.co");
    }
    String s = endpoint.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return URI.create(s);
  }

  private static void checkToken(String token) {
    boolean printable = !token.isEmpty() && token.chars().allMatch(c -> c > 0x20 && c < 0x7F);
    if (!printable) {
      throw new IllegalArgumentException(
          "HF_TOKEN must be non-empty printable ASCII without spaces (its value is not shown)");
    }
  }
}
