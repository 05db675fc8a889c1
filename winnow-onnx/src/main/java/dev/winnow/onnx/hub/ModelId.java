package dev.winnow.onnx.hub;

import java.util.regex.Pattern;

/**
 * A model on a Hugging Face-compatible hub: {@code ORG/NAME} at a revision (a branch, tag or
 * commit; {@code main} by default).
 *
 * <p>Ids become URL segments and cache folder names ({@code models--ORG--NAME}, {@code
 * refs/REVISION}), so they are strict: each of ORG and NAME is {@code [A-Za-z0-9][A-Za-z0-9._-]*}
 * (at most 96 characters, without {@code --} or {@code ..}, as the hub itself requires); a revision
 * is segments of {@code [A-Za-z0-9._-]} joined by single {@code /}, none starting with {@code .}.
 */
public record ModelId(String org, String name, String revision) {

  /** The revision used when none is given. */
  public static final String DEFAULT_REVISION = "main";

  private static final String FORM =
      "ORG/NAME[@REVISION], e.g. cross-encoder/ms-marco-MiniLM-L6-v2";
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
  private static final Pattern REVISION_SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

  public ModelId {
    checkPart("ORG", org, org + "/" + name);
    checkPart("NAME", name, org + "/" + name);
    checkRevision(revision);
  }

  /** Parses {@code ORG/NAME} or {@code ORG/NAME@REVISION}. */
  public static ModelId parse(String ref) {
    if (SCHEME.matcher(ref).matches()) {
      throw new IllegalArgumentException(
          "model id '"
              + ref
              + "' is a URL; give a hub id "
              + FORM
              + " (the hub is the configured endpoint, HF_ENDPOINT)");
    }
    if (ref.indexOf('\\') >= 0) {
      throw new IllegalArgumentException(
          "model id '" + ref + "' contains a backslash; expected " + FORM);
    }
    int at = ref.indexOf('@');
    String repo = at < 0 ? ref : ref.substring(0, at);
    String revision = at < 0 ? DEFAULT_REVISION : ref.substring(at + 1);
    String[] parts = repo.split("/", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "model id '"
              + ref
              + "' must have exactly one '/' between ORG and NAME"
              + (parts.length > 2 ? " (no further path segments)" : "")
              + "; expected "
              + FORM);
    }
    return new ModelId(parts[0], parts[1], revision);
  }

  /** {@code ORG/NAME}. */
  public String repo() {
    return org + "/" + name;
  }

  /** The folder name of this repository in the hub cache: {@code models--ORG--NAME}. */
  public String cacheFolder() {
    return "models--" + org + "--" + name;
  }

  /** The same repository at another revision. */
  public ModelId atRevision(String newRevision) {
    return new ModelId(org, name, newRevision);
  }

  @Override
  public String toString() {
    return repo() + "@" + revision;
  }

  private static void checkPart(String what, String value, String repo) {
    if (!PART.matcher(value).matches() || value.contains("--") || value.contains("..")) {
      throw new IllegalArgumentException(
          "model id '"
              + repo
              + "' has "
              + what
              + " '"
              + value
              + "': it must be 1-96 letters, digits, '.', '_' or '-', start with a letter or"
              + " digit and contain no '--' or '..'; expected "
              + FORM);
    }
  }

  private static void checkRevision(String revision) {
    boolean ok = !revision.isEmpty() && revision.length() <= 255;
    if (ok) {
      for (String segment : revision.split("/", -1)) {
        ok &= REVISION_SEGMENT.matcher(segment).matches();
      }
      ok &= !revision.contains("..");
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "model revision '"
              + revision
              + "' is not allowed: use a branch, tag or commit made of letters, digits, '.', '_',"
              + " '-' and single '/' (no '..', no segment starting with '.'), e.g. main, v1.0,"
              + " refs/pr/1; expected "
              + FORM);
    }
  }
}
