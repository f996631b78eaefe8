package dev.kritis.core.internal;

import java.util.Locale;

/**
 * Makes text from outside (an image reference from a pod spec, a registry's error body, a header)
 * safe to put inside a message: control characters, quotes and backslashes are escaped, so a
 * crafted value cannot forge log lines or break out of the quotes around it, and long text is
 * cut. For kritis modules, not an API for embedders.
 */
public final class UntrustedText {
  private static final int LIMIT = 300;

  private UntrustedText() {}

  public static String printable(String input) {
    if (input == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    int limit = Math.min(input.length(), LIMIT);
    for (int i = 0; i < limit; i++) {
      char c = input.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (input.length() > limit) {
      out.append("…(").append(input.length()).append(" chars)");
    }
    return out.toString();
  }
}
