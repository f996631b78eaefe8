package dev.kritis.registry;

import java.util.Locale;

/** Keeps server-supplied text (error bodies, headers) safe and short in messages. */
final class Texts {
  private Texts() {}

  static String printable(String input) {
    if (input == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    int limit = Math.min(input.length(), 300);
    for (int i = 0; i < limit; i++) {
      char c = input.charAt(i);
      if (c < 0x20 || c == 0x7f) {
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
