package dev.kritis.webhook;

import dev.kritis.core.reference.Digest;
import dev.kritis.core.verify.ImageDecision;
import dev.kritis.core.verify.Reason;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The webhook's verdict on one image: core's {@link ImageDecision}, or a verdict the webhook made
 * itself (timed out, overloaded, policies not loaded, self-image). An "error" verdict is one where
 * verification could not finish; it denies unless the operator chose fail-open, and is never cached.
 */
final class ImageVerdict {
  final String image;
  final boolean allowed;
  final boolean error;
  /** The verified digest (given or resolved), or null. */
  final Digest digest;
  /** Why, for logs and fail-open warnings; never sent to the client for plain denials. */
  final String detail;
  /** For an error verdict: the one reason verification could not finish, shown as a warning. */
  final String errorSummary;
  final boolean timedOut;

  private ImageVerdict(String image, boolean allowed, boolean error, Digest digest, String detail, String errorSummary,
      boolean timedOut) {
    this.image = image;
    this.allowed = allowed;
    this.error = error;
    this.digest = digest;
    this.detail = detail;
    this.errorSummary = errorSummary;
    this.timedOut = timedOut;
  }

  static ImageVerdict of(ImageDecision decision) {
    String errorSummary = null;
    boolean timedOut = false;
    if (!decision.allowed()) {
      for (Reason reason : decision.reasons()) {
        Reason.Code code = reason.code();
        if (code == Reason.Code.TIMED_OUT || code == Reason.Code.SOURCE_ERROR
            || code == Reason.Code.DIGEST_RESOLUTION_FAILED) {
          timedOut |= code == Reason.Code.TIMED_OUT;
          if (errorSummary == null) {
            errorSummary = reason.message();
          }
        }
      }
    }
    String detail = decision.reasons().stream().map(Reason::toString).collect(Collectors.joining("; "));
    return new ImageVerdict(decision.image(), decision.allowed(), errorSummary != null, decision.digest().orElse(null),
        detail, errorSummary, timedOut);
  }

  static ImageVerdict error(String image, String detail) {
    return new ImageVerdict(image, false, true, null, detail, detail, false);
  }

  static ImageVerdict timedOut(String image, String detail) {
    return new ImageVerdict(image, false, true, null, detail, detail, true);
  }

  static ImageVerdict allowed(String image, String detail) {
    return new ImageVerdict(image, true, false, null, detail, null, false);
  }

  Optional<Digest> digest() {
    return Optional.ofNullable(digest);
  }

  /** The one sentence users see for a denied image. */
  String denialMessage() {
    return "image " + image + " is not attested";
  }

  @Override
  public String toString() {
    return (allowed ? "allowed " : error ? "error " : "denied ") + image + " [" + detail + "]";
  }
}
