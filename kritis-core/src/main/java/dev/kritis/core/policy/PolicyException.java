package dev.kritis.core.policy;

/**
 * A policy manifest that cannot be used. The message names the file, the document within it,
 * the object's kind and name, the field, and what was expected.
 */
public final class PolicyException extends Exception {
  private static final long serialVersionUID = 1L;

  public PolicyException(String message) {
    super(message);
  }

  public PolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
