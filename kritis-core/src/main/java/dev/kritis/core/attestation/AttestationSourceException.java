package dev.kritis.core.attestation;

/** An attestation source could not answer: the message says which source and why. */
public final class AttestationSourceException extends Exception {
  private static final long serialVersionUID = 1L;

  public AttestationSourceException(String message) {
    super(message);
  }

  public AttestationSourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
