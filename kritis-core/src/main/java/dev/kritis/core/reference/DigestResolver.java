package dev.kritis.core.reference;

import java.time.Instant;

/**
 * Resolves a tag to the digest it names right now, for example by asking the image's registry.
 * Without a resolver, an image referenced only by tag is not attested: a tag can move, a digest
 * cannot.
 */
public interface DigestResolver {

  /**
   * Returns the digest {@code reference}'s tag points to.
   *
   * @param reference a reference with a tag and no digest
   * @param deadline the resolver must give up (throw) by this instant
   * @throws DigestResolutionException if the digest cannot be found: the message says what was
   *     tried and why it failed (unreachable registry, refused credentials, unknown tag, timeout)
   */
  Digest resolve(ImageReference reference, Instant deadline) throws DigestResolutionException;

  /** Why a tag could not be resolved. The message is shown to users, so it names the registry. */
  final class DigestResolutionException extends Exception {
    private static final long serialVersionUID = 1L;

    public DigestResolutionException(String message) {
      super(message);
    }

    public DigestResolutionException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
