package dev.kritis.core.crypto;

/** A public key or algorithm name that cannot be used; the message says what was expected. */
public final class KeyFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public KeyFormatException(String message) {
    super(message);
  }

  public KeyFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
