package dev.kritis.registry;

import dev.kritis.core.internal.UntrustedText;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials in Docker's {@code config.json} shape, which is also the content of a
 * Kubernetes {@code kubernetes.io/dockerconfigjson} secret's {@code .dockerconfigjson} key:
 * {@code {"auths": {"host": {"auth": base64(user:pass)} | {"username", "password"} |
 * {"identitytoken"}}}}. The legacy {@code .dockercfg} shape (the {@code auths} map at top level)
 * is read too. Keys may be {@code https://host/v1/}, {@code host:port} or {@code host}.
 */
final class DockerConfig {
  /** One registry's credentials. Never printed: {@link #toString()} names the user only. */
  static final class Credential {
    final String username;
    final String password;
    final String identityToken;

    Credential(String username, String password, String identityToken) {
      this.username = username;
      this.password = password;
      this.identityToken = identityToken;
    }

    boolean hasIdentityToken() {
      return identityToken != null && !identityToken.isEmpty();
    }

    /** Basic credentials: the password, or per Docker the identity token in its place. */
    String basicAuthorization() {
      String secret = password != null && !password.isEmpty() ? password : identityToken;
      String user = username == null ? "" : username;
      return "Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + (secret == null ? "" : secret)).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "credentials of user " + (username == null || username.isEmpty() ? "<identity token>" : username);
    }
  }

  private DockerConfig() {}

  /**
   * Reads the {@code auths} entries of a config document into {@code out}, keyed by normalized
   * registry host.
   *
   * @param origin the file or secret, for messages
   */
  static void read(byte[] json, String origin, Map<String, Credential> out) throws RegistryConfigException {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new RegistryConfigException("Tried to read registry credentials from " + origin
          + " but failed because it is not well-formed JSON: " + Json.describe(e), e);
    }
    if (root == null || !root.isObject()) {
      throw new RegistryConfigException("Tried to read registry credentials from " + origin
          + " but failed because it is not a JSON object (expected {\"auths\": {...}})");
    }
    JsonNode auths = root.has("auths") ? root.get("auths") : root;
    if (!auths.isObject()) {
      throw new RegistryConfigException("Tried to read registry credentials from " + origin
          + " but failed because \"auths\" is not an object");
    }
    Map<String, Credential> found = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : auths.properties()) {
      String where = origin + " auths[\"" + UntrustedText.printable(entry.getKey()) + "\"]";
      JsonNode value = entry.getValue();
      if (!value.isObject()) {
        if (root.has("auths")) {
          throw new RegistryConfigException("Tried to read registry credentials from " + where
              + " but failed because it is not an object");
        }
        continue; // legacy shape: top-level keys other than registries (e.g. "credsStore")
      }
      String username = text(value, "username", where);
      String password = text(value, "password", where);
      String identityToken = text(value, "identitytoken", where);
      String auth = text(value, "auth", where);
      if (auth != null && !auth.isEmpty()) {
        String decoded;
        try {
          decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new RegistryConfigException("Tried to read registry credentials from " + where
              + " but failed because \"auth\" is not valid base64", e);
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
          throw new RegistryConfigException("Tried to read registry credentials from " + where
              + " but failed because \"auth\" does not decode to user:password");
        }
        username = decoded.substring(0, colon);
        password = decoded.substring(colon + 1);
      }
      if ((password == null || password.isEmpty()) && (identityToken == null || identityToken.isEmpty())) {
        continue; // an entry without a secret (docker login with a credential helper) gives nothing
      }
      found.put(normalizeKey(entry.getKey()), new Credential(username, password, identityToken));
    }
    out.putAll(found);
  }

  private static String text(JsonNode node, String field, String where) throws RegistryConfigException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new RegistryConfigException("Tried to read registry credentials from " + where
          + " but failed because \"" + field + "\" is not a string");
    }
    return value.textValue();
  }

  /**
   * {@code https://index.docker.io/v1/} → {@code docker.io}; {@code http://h:5000/x} →
   * {@code h:5000}. Hosts compare case-insensitively.
   */
  static String normalizeKey(String key) {
    String k = key.trim();
    int scheme = k.indexOf("://");
    if (scheme >= 0) {
      k = k.substring(scheme + 3);
    }
    int slash = k.indexOf('/');
    if (slash >= 0) {
      k = k.substring(0, slash);
    }
    k = k.toLowerCase(Locale.ROOT);
    return normalizeRegistry(k);
  }

  /** Docker Hub goes by several names; they share credentials. */
  static String normalizeRegistry(String registry) {
    String r = registry.toLowerCase(Locale.ROOT);
    if (r.equals("index.docker.io") || r.equals("registry-1.docker.io") || r.equals("registry.hub.docker.com")) {
      return "docker.io";
    }
    return r;
  }

  static Optional<Credential> lookup(Map<String, Credential> credentials, String registry) {
    return Optional.ofNullable(credentials.get(normalizeRegistry(registry)));
  }
}
