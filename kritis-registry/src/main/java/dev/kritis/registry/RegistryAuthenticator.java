package dev.kritis.registry;

import dev.kritis.core.internal.UntrustedText;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knows how each registry wants to be authenticated and holds bearer tokens. Anonymous first:
 * a registry's first 401 tells us its scheme (Basic, or Bearer with a token realm), which is then
 * remembered, so later requests carry credentials or a token right away instead of paying a
 * 401 round trip each. Tokens are reused until shortly before they expire, per registry and
 * scope.
 */
final class RegistryAuthenticator {
  private final Map<String, DockerConfig.Credential> credentials;
  private final HttpTransport transport;
  private final RegistryEndpoints.InsecureRegistries insecure;
  private final ConcurrentHashMap<String, WwwAuthenticate> challenges = new ConcurrentHashMap<>();
  private final LookupCache<String, String> tokens;

  RegistryAuthenticator(Map<String, DockerConfig.Credential> credentials, HttpTransport transport,
      RegistryEndpoints.InsecureRegistries insecure, LookupCache<String, String> tokens) {
    this.credentials = Map.copyOf(credentials);
    this.transport = transport;
    this.insecure = insecure;
    this.tokens = tokens;
  }

  Optional<DockerConfig.Credential> credential(String registry) {
    return DockerConfig.lookup(credentials, registry);
  }

  /** The Authorization header to send without a round trip, or null to try anonymously. */
  String authorizationFor(String registry, String scope, Instant deadline, String action) throws RegistryException {
    WwwAuthenticate challenge = challenges.get(key(registry));
    return challenge == null ? null : authorize(registry, challenge, scope, deadline, action);
  }

  /** Remembers the registry's challenge after a 401 and drops the token that did not work. */
  void onUnauthorized(String registry, WwwAuthenticate challenge, String scope) {
    challenges.put(key(registry), challenge);
    tokens.invalidate(tokenKey(registry, scope));
  }

  /** The Authorization header answering {@code challenge}; fetches a token when needed. */
  String authorize(String registry, WwwAuthenticate challenge, String scope, Instant deadline, String action)
      throws RegistryException {
    Optional<DockerConfig.Credential> credential = credential(registry);
    if (challenge.isBasic()) {
      if (credential.isEmpty()) {
        throw RegistryException.failed("Tried to " + action + " but failed because " + registry
            + " requires authentication (HTTP 401, Basic) and no credentials for it are configured"
            + " (add an entry for " + registry + " to the Docker config.json)");
      }
      return credential.get().basicAuthorization();
    }
    if (challenge.isBearer()) {
      String token = tokens.get(tokenKey(registry, scope), deadline, action,
          () -> fetchToken(registry, challenge, scope, credential, deadline, action));
      return "Bearer " + token;
    }
    throw RegistryException.failed("Tried to " + action + " but failed because " + registry
        + " asks for the unsupported authentication scheme \"" + UntrustedText.printable(challenge.scheme()) + "\"");
  }

  private LookupCache.Timed<String> fetchToken(String registry, WwwAuthenticate challenge, String scope,
      Optional<DockerConfig.Credential> credential, Instant deadline, String action) throws RegistryException {
    String realm = challenge.param("realm").orElseThrow(() -> RegistryException.failed("Tried to " + action
        + " but failed because " + registry + " sent a Bearer challenge without a realm"));
    URI realmUri;
    try {
      realmUri = URI.create(realm);
    } catch (IllegalArgumentException e) {
      throw RegistryException.failed("Tried to " + action + " but failed because " + registry
          + " named an invalid token realm \"" + UntrustedText.printable(realm) + "\"", e);
    }
    String scheme = String.valueOf(realmUri.getScheme());
    if (!scheme.equals("https") && !(scheme.equals("http") && insecure.contains(hostPort(realmUri)))) {
      throw RegistryException.failed("Tried to " + action + " but failed because the token realm " + realm
          + " of " + registry + " is not https (plain http is used only for registries named insecure)");
    }
    String what = "get a token for " + scope + " from " + realm + " (to " + action + ")";
    StringBuilder query = new StringBuilder();
    challenge.param("service").ifPresent(s -> query.append("service=").append(encode(s)));
    if (!scope.isEmpty()) {
      query.append(query.length() > 0 ? "&" : "").append("scope=").append(encode(scope));
    }
    HttpTransport.Response response;
    if (credential.isPresent() && credential.get().hasIdentityToken()
        && (credential.get().password == null || credential.get().password.isEmpty())) {
      // Docker's identity token is an OAuth2 refresh token: trade it at the realm (POST).
      String form = "grant_type=refresh_token&client_id=kritis&refresh_token=" + encode(credential.get().identityToken)
          + (query.length() > 0 ? "&" + query : "");
      HttpTransport.Request request = new HttpTransport.Request("POST", realmUri, null,
          form.getBytes(StandardCharsets.UTF_8), 1024 * 1024)
          .header("Content-Type", "application/x-www-form-urlencoded");
      response = transport.send(request, deadline, what);
    } else {
      String separator = realmUri.getRawQuery() == null ? "?" : "&";
      URI uri = URI.create(realm + (query.length() > 0 ? separator + query : ""));
      HttpTransport.Request request = new HttpTransport.Request("GET", uri,
          credential.map(DockerConfig.Credential::basicAuthorization).orElse(null), null, 1024 * 1024);
      response = transport.send(request, deadline, what);
    }
    if (response.status == 401 || response.status == 403) {
      throw RegistryException.failed("Tried to " + what + " but failed because the token service refused "
          + credential.map(Object::toString).orElse("anonymous access") + " (HTTP " + response.status + ")");
    }
    if (response.status != 200) {
      throw RegistryException.failed("Tried to " + what + " but failed because it answered HTTP "
          + response.status + RegistryEndpoints.errorSummary(response));
    }
    JsonNode body = Json.object(response.body, what, "the token response");
    String token = Json.optionalText(body, "token");
    if (token == null || token.isEmpty()) {
      token = Json.optionalText(body, "access_token");
    }
    if (token == null || token.isEmpty()) {
      throw RegistryException.failed("Tried to " + what + " but failed because the response has neither"
          + " \"token\" nor \"access_token\"");
    }
    // The distribution token spec: expires_in defaults to 60 s. Renew a little early so a token
    // does not expire between our check and the registry's.
    long expiresIn = body.has("expires_in") && body.get("expires_in").canConvertToLong()
        ? body.get("expires_in").asLong() : 60;
    long keep = Math.max(0, expiresIn - Math.max(1, Math.min(30, expiresIn / 10)));
    return new LookupCache.Timed<>(token, Duration.ofSeconds(keep));
  }

  private static String hostPort(URI uri) {
    return uri.getPort() >= 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
  }

  private static String key(String registry) {
    return DockerConfig.normalizeRegistry(registry);
  }

  private static String tokenKey(String registry, String scope) {
    return key(registry) + " " + scope;
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
