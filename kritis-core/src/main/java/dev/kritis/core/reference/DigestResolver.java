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

  /**
   * Why a tag could not be resolved. The message is shown to users, so it names the registry.
   * {@link #tagNotFound()} separates a definite answer ("no such tag") from a failure to get one
   * (unreachable, refused, timed out): only the latter may be waved through by a fail-open
   * operator, since a tag that does not exist now can be pushed right after admission.
   */
  final class DigestResolutionException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean tagNotFound;

    public DigestResolutionException(String message) {
      this(message, null, false);
    }

    public DigestResolutionException(String message, Throwable cause) {
      this(message, cause, false);
    }

    /** @param tagNotFound true when the registry answered that the tag does not exist */
    public DigestResolutionException(String message, Throwable cause, boolean tagNotFound) {
      super(message, cause);
      this.tagNotFound = tagNotFound;
    }

    /** Whether the registry said the tag does not exist (as opposed to not answering usefully). */
    public boolean tagNotFound() {
      return tagNotFound;
    }
  }
}
