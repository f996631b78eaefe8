package dev.kritis.core.verify;

import dev.kritis.core.reference.Digest;
import java.util.List;
import java.util.Optional;

/**
 * The verdict on one image. A denied image's {@link #message()} is exactly
 * {@code image <reference as written> is not attested}; the details are in {@link #reasons()}.
 */
public final class ImageDecision {
  private final String image;
  private final Digest digest;
  private final boolean allowed;
  private final List<Reason> reasons;

  ImageDecision(String image, Digest digest, boolean allowed, List<Reason> reasons) {
    this.image = image;
    this.digest = digest;
    this.allowed = allowed;
    this.reasons = List.copyOf(reasons);
  }

  /** The reference exactly as it was given. */
  public String image() {
    return image;
  }

  /** The digest that was verified (given or resolved), when one was known. */
  public Optional<Digest> digest() {
    return Optional.ofNullable(digest);
  }

  public boolean allowed() {
    return allowed;
  }

  /**
   * One sentence for the user: {@code image X is not attested} when denied; when allowed,
   * {@code image X is attested}, {@code … is allowlisted} or {@code … is not subject to a policy}.
   */
  public String message() {
    if (!allowed) {
      return "image " + image + " is not attested";
    }
    for (Reason reason : reasons) {
      switch (reason.code()) {
        case ALLOWLISTED:
          return "image " + image + " is allowlisted";
        case NO_POLICY:
          return "image " + image + " is not subject to a policy";
        default:
          break;
      }
    }
    return "image " + image + " is attested";
  }

  public List<Reason> reasons() {
    return reasons;
  }

  @Override
  public String toString() {
    return message() + " " + reasons;
  }
}
