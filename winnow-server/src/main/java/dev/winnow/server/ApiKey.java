package dev.winnow.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer <key>} in constant time: both sides are hashed with SHA-256
 * so lengths cannot leak, then compared with {@link MessageDigest#isEqual}. The key is never logged
 * or rendered. Immutable and thread-safe.
 */
final class ApiKey {

  private final byte[] expected;

  ApiKey(String key) {
    this.expected = sha256(key);
  }

  /** True when the header carries the key. */
  boolean accepts(Optional<String> authorization) {
    byte[] given = sha256(bearer(authorization).orElse(""));
    // Always compare, so a missing header costs the same as a wrong one.
    boolean equal = MessageDigest.isEqual(expected, given);
    return equal && bearer(authorization).isPresent();
  }

  private static Optional<String> bearer(Optional<String> header) {
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String h = header.get().trim();
    if (h.length() < 7 || !h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return Optional.empty();
    }
    return Optional.of(h.substring(7).trim());
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "ApiKey[<redacted>]";
  }
}
