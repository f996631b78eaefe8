package dev.kritis.core.reference;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container image reference as written in a pod spec ({@code alpine:3.11},
 * {@code gcr.io/p/app@sha256:…}, {@code localhost:5000/a/b:v1@sha256:…}), parsed by the grammar of
 * the distribution project's {@code reference} package and normalized the way Docker does it:
 * no registry means {@code docker.io}, and a one-part name on Docker Hub gets {@code library/}.
 *
 * <p>Instances are immutable. {@link #original()} keeps the text as written, because denial
 * messages must quote exactly what the user wrote.
 */
public final class ImageReference {
  public static final String DOCKER_HUB = "docker.io";

  // The grammar, piece by piece, after github.com/distribution/reference/regexp.go.
  /** alpha-numeric := /[a-z0-9]+/ */
  private static final String ALPHA_NUMERIC = "[a-z0-9]+";
  /** separator := /[_.]|__|[-]+/ — one dot or underscore, two underscores, or dashes. */
  private static final String SEPARATOR = "(?:[_.]|__|[-]+)";
  /** path-component := alpha-numeric [separator alpha-numeric]* */
  private static final String PATH_COMPONENT = ALPHA_NUMERIC + "(?:" + SEPARATOR + ALPHA_NUMERIC + ")*";
  /** domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/ */
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  /** An IPv6 address in brackets, as in a URL (RFC 3986); the spec allows it in a domain. */
  private static final String IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
  /** domain := host [':' port-number] */
  private static final String DOMAIN =
      "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|" + IPV6 + ")(?::[0-9]+)?";
  /** tag := /[\w][\w.-]{0,127}/ (\w in ASCII only). */
  private static final String TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";

  private static final Pattern DOMAIN_PATTERN = Pattern.compile(DOMAIN);
  private static final Pattern PATH_PATTERN = Pattern.compile(PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*");
  private static final Pattern TAG_PATTERN = Pattern.compile(TAG);
  /** The spec caps a repository name (domain and path) at 255 characters. */
  private static final int MAX_NAME_LENGTH = 255;

  private final String original;
  private final String registry;
  private final String path;
  private final String tag;
  private final Digest digest;

  private ImageReference(String original, String registry, String path, String tag, Digest digest) {
    this.original = original;
    this.registry = registry;
    this.path = path;
    this.tag = tag;
    this.digest = digest;
  }

  /**
   * Parses a reference.
   *
   * @throws InvalidReferenceException for anything the grammar rejects: empty input, upper-case
   *     repository paths, bad tags, digests that are not sha256/sha512 of the right length
   */
  public static ImageReference parse(String text) throws InvalidReferenceException {
    if (text == null || text.isEmpty()) {
      throw new InvalidReferenceException(text, "an image reference must not be empty");
    }
    String rest = text;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (InvalidReferenceException e) {
        throw new InvalidReferenceException(text, "digest " + e.problem());
      }
      rest = rest.substring(0, at);
    }
    // A tag follows the last ':' that comes after the last '/', so "host:5000/app" has none.
    String tag = null;
    int lastSlash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > lastSlash) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG_PATTERN.matcher(tag).matches()) {
        throw new InvalidReferenceException(
            text, "tag \"" + InvalidReferenceException.printable(tag)
                + "\" must be 1 to 128 of [A-Za-z0-9_.-] and not start with '.' or '-'");
      }
    }
    if (rest.isEmpty()) {
      throw new InvalidReferenceException(text, "the repository name is missing");
    }
    if (rest.length() > MAX_NAME_LENGTH) {
      throw new InvalidReferenceException(
          text, "the repository name is " + rest.length() + " characters long, at most " + MAX_NAME_LENGTH + " allowed");
    }
    String registry;
    String path;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? "" : rest.substring(0, slash);
    // Docker's rule: the first component names a registry when it looks like a host
    // ('.' or ':' in it, or "localhost") or has upper case (which a path never may).
    if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost")
        || !first.equals(first.toLowerCase(java.util.Locale.ROOT)))) {
      registry = first;
      path = rest.substring(slash + 1);
      if (!DOMAIN_PATTERN.matcher(registry).matches()) {
        throw new InvalidReferenceException(
            text, "registry \"" + InvalidReferenceException.printable(registry) + "\" is not a valid host[:port]");
      }
    } else {
      registry = DOCKER_HUB;
      path = rest;
    }
    if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
      registry = DOCKER_HUB;
    }
    Matcher pathMatcher = PATH_PATTERN.matcher(path);
    if (!pathMatcher.matches()) {
      throw new InvalidReferenceException(
          text, "repository path \"" + InvalidReferenceException.printable(path)
              + "\" must be lowercase components of [a-z0-9] joined by '.', '_', '__' or '-', separated by '/'");
    }
    if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
      path = "library/" + path;
    }
    return new ImageReference(text, registry, path, tag, digest);
  }

  /** The text as it was written, e.g. {@code alpine:3.11}. */
  public String original() {
    return original;
  }

  /** The registry host and optional port, e.g. {@code docker.io} or {@code localhost:5000}. */
  public String registry() {
    return registry;
  }

  /** The repository path within the registry, e.g. {@code library/alpine}. */
  public String path() {
    return path;
  }

  /** The normalized repository name, registry and path: {@code docker.io/library/alpine}. */
  public String repository() {
    return registry + "/" + path;
  }

  public Optional<String> tag() {
    return Optional.ofNullable(tag);
  }

  public Optional<Digest> digest() {
    return Optional.ofNullable(digest);
  }

  /** This reference pinned to {@code newDigest}, keeping the tag and the original text. */
  public ImageReference withDigest(Digest newDigest) {
    return new ImageReference(original, registry, path, tag, Objects.requireNonNull(newDigest));
  }

  /** The normalized form: {@code repository[:tag][@digest]}. */
  @Override
  public String toString() {
    return repository() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }

  /** Equal when the normalized forms are equal; the original spelling does not count. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ImageReference)) {
      return false;
    }
    ImageReference other = (ImageReference) o;
    return registry.equals(other.registry) && path.equals(other.path)
        && Objects.equals(tag, other.tag) && Objects.equals(digest, other.digest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(registry, path, tag, digest);
  }
}
