package dev.kritis.core.policy;

import java.util.regex.Pattern;

/**
 * An allowlist pattern such as {@code gcr.io/my-project/*} or {@code docker.io/library/nginx:**}.
 * It must match the whole image reference (it is anchored at both ends; an unanchored glob was a
 * real admission bypass in Portieris). {@code *} matches any run of characters except {@code /};
 * {@code **} also crosses {@code /}. Every other character, {@code ?}, {@code [} and {@code .}
 * included, matches only itself.
 */
public final class ImagePattern {
  private final String text;
  private final Pattern regex;

  private ImagePattern(String text, Pattern regex) {
    this.text = text;
    this.regex = regex;
  }

  /**
   * @throws IllegalArgumentException if the pattern is empty or has three or more {@code *} in a
   *     row (which would be ambiguous)
   */
  public static ImagePattern compile(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("an image pattern must not be empty");
    }
    if (text.contains("***")) {
      throw new IllegalArgumentException("image pattern \"" + text + "\" has \"***\"; use \"*\" (within one path part) or \"**\" (across parts)");
    }
    StringBuilder regex = new StringBuilder();
    int literalStart = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) != '*') {
        continue;
      }
      if (literalStart < i) {
        regex.append(Pattern.quote(text.substring(literalStart, i)));
      }
      if (i + 1 < text.length() && text.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else {
        regex.append("[^/]*");
      }
      literalStart = i + 1;
    }
    if (literalStart < text.length()) {
      regex.append(Pattern.quote(text.substring(literalStart)));
    }
    return new ImagePattern(text, Pattern.compile(regex.toString(), Pattern.DOTALL));
  }

  /** Whether the whole of {@code image} matches. */
  public boolean matches(String image) {
    return regex.matcher(image).matches();
  }

  /** The pattern as written. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImagePattern && ((ImagePattern) o).text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
