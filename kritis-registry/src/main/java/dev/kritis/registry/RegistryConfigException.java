package dev.kritis.registry;

/**
 * The registry client's configuration cannot be used: an unreadable or malformed Docker
 * {@code config.json}, a CA bundle without certificates, an invalid insecure-registry entry. The
 * message names the file or value and what was expected.
 */
public final class RegistryConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public RegistryConfigException(String message) {
    super(message);
  }

  public RegistryConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
