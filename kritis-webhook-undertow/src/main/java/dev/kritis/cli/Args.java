package dev.kritis.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Walks a command line, one option or operand at a time, accepting both {@code --name value} and
 * {@code --name=value}. Shared by every command so they all spell options the same way and report
 * mistakes the same way.
 */
final class Args {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

  private final String[] args;
  private int next;
  private String inlineValue;

  Args(String[] args) {
    this.args = args.clone();
  }

  boolean hasNext() {
    return next < args.length;
  }

  /** The next option name ({@code --x} of {@code --x=v}) or operand. */
  String next() {
    String arg = args[next++];
    inlineValue = null;
    int eq = arg.indexOf('=');
    if (arg.startsWith("--") && eq > 0) {
      inlineValue = arg.substring(eq + 1);
      return arg.substring(0, eq);
    }
    return arg;
  }

  /** The value of {@code option}, just read by {@link #next()}. */
  String value(String option) throws UsageException {
    if (inlineValue != null) {
      String value = inlineValue;
      inlineValue = null;
      return value;
    }
    if (next >= args.length || args[next].startsWith("--")) {
      throw new UsageException(option + " needs a value");
    }
    return args[next++];
  }

  /** {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, or ISO-8601 such as {@code PT10S}; positive. */
  static Duration duration(String text, String option) throws UsageException {
    Matcher m = DURATION.matcher(text);
    Duration d = null;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          d = Duration.ofMillis(n);
          break;
        case "s":
          d = Duration.ofSeconds(n);
          break;
        case "m":
          d = Duration.ofMinutes(n);
          break;
        default:
          d = Duration.ofHours(n);
          break;
      }
    } else {
      try {
        d = Duration.parse(text.toUpperCase(Locale.ROOT));
      } catch (java.time.format.DateTimeParseException e) {
        // reported below
      }
    }
    if (d == null || d.isNegative() || d.isZero()) {
      throw new UsageException(option + " \"" + text + "\" is not a positive duration, expected e.g. 500ms, 10s, 2m or PT10S");
    }
    return d;
  }

  /** Bad command line: the message says which option and what was expected. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
