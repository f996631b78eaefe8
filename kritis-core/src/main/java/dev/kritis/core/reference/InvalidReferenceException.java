package dev.kritis.core.reference;

import dev.kritis.core.internal.UntrustedText;

/**
 * An image reference or digest that does not follow the distribution reference grammar. The
 * message names the input and what was expected; {@link #input()} returns the offending text.
 */
public final class InvalidReferenceException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String input;
  private final String problem;

  public InvalidReferenceException(String input, String problem) {
    super("invalid image reference \"" + printable(input) + "\": " + problem);
    this.input = input;
    this.problem = problem;
  }

  /** What is wrong with the input, without the input itself. */
  public String problem() {
    return problem;
  }

  /** The text that failed to parse, exactly as given. */
  public String input() {
    return input;
  }

  /** Keeps control characters and very long inputs out of log lines and HTTP responses. */
  static String printable(String input) {
    return UntrustedText.printable(input);
  }
}
