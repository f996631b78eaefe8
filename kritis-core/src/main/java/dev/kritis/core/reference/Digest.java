package dev.kritis.core.reference;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:3f…}, as used to name image manifests. Only the two
 * algorithms registries use are accepted, each with exactly its length of lowercase hex: a
 * truncated or padded digest is an error, never a prefix match.
 */
public final class Digest {
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SHA512_HEX = Pattern.compile("[0-9a-f]{128}");

  private final String algorithm;
  private final String hex;

  private Digest(String algorithm, String hex) {
    this.algorithm = algorithm;
    this.hex = hex;
  }

  /**
   * Parses {@code algorithm:hex}.
   *
   * @throws InvalidReferenceException if the algorithm is not sha256 or sha512, or the hex part
   *     is not exactly that algorithm's length of lowercase hex digits
   */
  public static Digest parse(String text) throws InvalidReferenceException {
    if (text == null) {
      throw new InvalidReferenceException(null, "a digest is required");
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new InvalidReferenceException(text, "expected a digest of the form sha256:<64 hex digits>");
    }
    String algorithm = text.substring(0, colon);
    String hex = text.substring(colon + 1);
    switch (algorithm) {
      case "sha256":
        if (!SHA256_HEX.matcher(hex).matches()) {
          throw new InvalidReferenceException(
              text, "a sha256 digest needs exactly 64 lowercase hex digits, got " + hex.length() + " characters");
        }
        break;
      case "sha512":
        if (!SHA512_HEX.matcher(hex).matches()) {
          throw new InvalidReferenceException(
              text, "a sha512 digest needs exactly 128 lowercase hex digits, got " + hex.length() + " characters");
        }
        break;
      default:
        throw new InvalidReferenceException(
            text, "unsupported digest algorithm \"" + InvalidReferenceException.printable(algorithm)
                + "\", expected sha256 or sha512");
    }
    return new Digest(algorithm, hex);
  }

  /** The sha256 digest of {@code content}. */
  public static Digest sha256Of(byte[] content) {
    return of("sha256", "SHA-256", content);
  }

  /** The digest of {@code content} under the same algorithm as this one. */
  public Digest recompute(byte[] content) {
    return algorithm.equals("sha256") ? sha256Of(content) : of("sha512", "SHA-512", content);
  }

  private static Digest of(String name, String jcaName, byte[] content) {
    try {
      byte[] hash = MessageDigest.getInstance(jcaName).digest(content);
      return new Digest(name, com.google.common.io.BaseEncoding.base16().lowerCase().encode(hash));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(jcaName + " is required by the Java platform", e);
    }
  }

  /** {@code sha256} or {@code sha512}. */
  public String algorithm() {
    return algorithm;
  }

  /** The lowercase hex part. */
  public String hex() {
    return hex;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Digest && ((Digest) o).algorithm.equals(algorithm) && ((Digest) o).hex.equals(hex);
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, hex);
  }

  /** {@code algorithm:hex}, the canonical form. */
  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
