package dev.kritis.core.attestation;

/**
 * A payload or occurrence document that is not well-formed. The message names the document
 * (file, index), the field and what was expected.
 */
public final class InvalidAttestationException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidAttestationException(String message) {
    super(message);
  }

  public InvalidAttestationException(String message, Throwable cause) {
    super(message, cause);
  }
}
