package dev.kritis.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110 section 11.6.1): a scheme and its
 * parameters, e.g. {@code Bearer realm="https://auth.example/token",service="reg",
 * scope="repository:a/b:pull,push"}. Values may be quoted strings (with backslash escapes and
 * commas inside, as in scopes) or tokens; parameter names are case-insensitive.
 */
final class WwwAuthenticate {
  private final String scheme;
  private final Map<String, String> params;

  private WwwAuthenticate(String scheme, Map<String, String> params) {
    this.scheme = scheme;
    this.params = Map.copyOf(params);
  }

  /** Parses the first challenge of {@code header}; empty when it is not a challenge at all. */
  static Optional<WwwAuthenticate> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String s = header.trim();
    int i = 0;
    int n = s.length();
    while (i < n && isTokenChar(s.charAt(i))) {
      i++;
    }
    if (i == 0) {
      return Optional.empty();
    }
    String scheme = s.substring(0, i);
    Map<String, String> params = new LinkedHashMap<>();
    while (i < n) {
      // skip whitespace and separating commas
      while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == ',')) {
        i++;
      }
      int nameStart = i;
      while (i < n && isTokenChar(s.charAt(i))) {
        i++;
      }
      if (i == nameStart) {
        break;
      }
      String name = s.substring(nameStart, i).toLowerCase(Locale.ROOT);
      while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
      if (i >= n || s.charAt(i) != '=') {
        // A token68 or the start of a second challenge: we use only the first challenge's params.
        break;
      }
      i++;
      while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
      StringBuilder value = new StringBuilder();
      if (i < n && s.charAt(i) == '"') {
        i++;
        while (i < n && s.charAt(i) != '"') {
          char c = s.charAt(i);
          if (c == '\\' && i + 1 < n) {
            i++;
            c = s.charAt(i);
          }
          value.append(c);
          i++;
        }
        i++; // closing quote (or end)
      } else {
        while (i < n && s.charAt(i) != ',' && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
          value.append(s.charAt(i));
          i++;
        }
      }
      params.putIfAbsent(name, value.toString());
    }
    return Optional.of(new WwwAuthenticate(scheme, params));
  }

  private static boolean isTokenChar(char c) {
    return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
  }

  boolean isBearer() {
    return scheme.equalsIgnoreCase("Bearer");
  }

  boolean isBasic() {
    return scheme.equalsIgnoreCase("Basic");
  }

  String scheme() {
    return scheme;
  }

  Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT)));
  }

  @Override
  public String toString() {
    return scheme + " " + params;
  }
}
