package dev.kritis.webhook;

/** A request body that is not a well-formed AdmissionReview; the message is the 400 reason. */
final class MalformedReviewException extends Exception {
  private static final long serialVersionUID = 1L;

  MalformedReviewException(String message) {
    super(message);
  }
}
