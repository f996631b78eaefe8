package dev.kritis.registry;

/**
 * Why one registry (or Grafeas) operation failed. Package-private: the public SPI methods turn it
 * into core's {@code DigestResolutionException} or {@code AttestationSourceException}, keeping the
 * message, which always reads "Tried to X but failed because Y".
 */
final class RegistryException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What kind of failure, so that callers can treat "not found" apart from "broken". */
  enum Kind {
    /** The server answered 404 (or an error code meaning "unknown"). */
    NOT_FOUND,
    /** The caller's deadline passed. */
    DEADLINE,
    /** Anything else: refused credentials, bad content, server errors, I/O. */
    FAILED
  }

  private final Kind kind;
  private final int status;

  RegistryException(Kind kind, int status, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.status = status;
  }

  static RegistryException failed(String message) {
    return new RegistryException(Kind.FAILED, 0, message, null);
  }

  static RegistryException failed(String message, Throwable cause) {
    return new RegistryException(Kind.FAILED, 0, message, cause);
  }

  static RegistryException deadline(String message) {
    return new RegistryException(Kind.DEADLINE, 0, message, null);
  }

  Kind kind() {
    return kind;
  }

  /** The HTTP status that caused it, or 0. */
  int status() {
    return status;
  }

  boolean isNotFound() {
    return kind == Kind.NOT_FOUND;
  }

  /** A copy for another thread that waited on the same (coalesced) lookup. */
  RegistryException copyForWaiter() {
    return new RegistryException(kind, status, getMessage(), this);
  }
}
