package dev.kritis.registry;

import dev.kritis.core.internal.UntrustedText;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kritis.core.reference.ImageReference;
import java.net.URI;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * Where a registry is and how to call it: https (plain http only for registries the user named
 * insecure), Docker Hub's API host, and authorized requests with one retry after a 401.
 */
final class RegistryEndpoints {
  /** {@code docker.io} is a name; the registry API is served here. */
  static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";

  private final InsecureRegistries insecure;
  private final HttpTransport transport;
  private final RegistryAuthenticator authenticator;

  RegistryEndpoints(InsecureRegistries insecure, HttpTransport transport, RegistryAuthenticator authenticator) {
    this.insecure = insecure;
    this.transport = transport;
    this.authenticator = authenticator;
  }

  /** The {@code host:port}s the user named insecure: the only ones spoken to over plain HTTP. */
  static final class InsecureRegistries {
    private final Set<String> hostPorts;

    InsecureRegistries(Set<String> hostPorts) {
      Set<String> lower = new java.util.HashSet<>();
      hostPorts.forEach(h -> lower.add(h.toLowerCase(Locale.ROOT)));
      this.hostPorts = Set.copyOf(lower);
    }

    boolean contains(String hostPort) {
      return hostPorts.contains(hostPort.toLowerCase(Locale.ROOT));
    }
  }

  boolean isInsecure(String hostPort) {
    return insecure.contains(hostPort);
  }

  /** {@code https://host[:port]/v2/} for a registry name as it appears in a reference. */
  URI apiBase(String registry) {
    String host = DockerConfig.normalizeRegistry(registry).equals(ImageReference.DOCKER_HUB) ? DOCKER_HUB_API_HOST : registry;
    return URI.create((isInsecure(registry) ? "http" : "https") + "://" + host + "/v2/");
  }

  /** {@code <base>/v2/<path>/<suffix>} for a repository. */
  URI repositoryUri(ImageReference repository, String suffix) {
    return apiBase(repository.registry()).resolve(repository.path() + "/" + suffix);
  }

  /**
   * Sends a request for {@code repository} with whatever authorization the registry wants; after
   * a 401 learns the challenge and retries once. A second 401 is an error naming the credentials.
   */
  HttpTransport.Response call(ImageReference repository, String method, URI uri, String accept, long maxBytes,
      Instant deadline, String action) throws RegistryException {
    String registry = repository.registry();
    String scope = "repository:" + repository.path() + ":pull";
    String authorization = authenticator.authorizationFor(registry, scope, deadline, action);
    HttpTransport.Response response = transport.send(request(method, uri, accept, maxBytes, authorization), deadline, action);
    if (response.status != 401) {
      return response;
    }
    if (!HttpTransport.sameOrigin(uri, response.uri)) {
      // A 401 from where a redirect led (storage, a CDN) is not the registry's challenge: our
      // registry credentials are not for that host, so this is simply a failure.
      throw unexpected(response, action);
    }
    String header = response.header("WWW-Authenticate").orElse(null);
    WwwAuthenticate challenge = WwwAuthenticate.parse(header).orElseThrow(() -> RegistryException.failed(
        "Tried to " + action + " but failed because " + uri + " answered HTTP 401 without a usable"
            + " WWW-Authenticate challenge"));
    // We ask for the pull scope of the repository whatever scope the challenge names (it may
    // name push too, which read-only credentials cannot get); tokens are cached by that scope.
    authenticator.onUnauthorized(registry, challenge, scope);
    String retryAuthorization = authenticator.authorize(registry, challenge, scope, deadline, action);
    response = transport.send(request(method, uri, accept, maxBytes, retryAuthorization), deadline, action);
    if (response.status == 401) {
      authenticator.onUnauthorized(registry, challenge, scope);
      throw RegistryException.failed("Tried to " + action + " but failed because " + registry + " refused "
          + authenticator.credential(registry).map(Object::toString).orElse("anonymous access")
          + " (HTTP 401" + errorSummary(response) + ")"
          + (authenticator.credential(registry).isPresent() ? ""
              : "; no credentials for " + registry + " are configured (add them to the Docker config.json)"));
    }
    return response;
  }

  private static HttpTransport.Request request(String method, URI uri, String accept, long maxBytes, String authorization) {
    HttpTransport.Request request = new HttpTransport.Request(method, uri, authorization, null, maxBytes);
    if (accept != null) {
      request.header("Accept", accept);
    }
    return request;
  }

  /**
   * Turns a non-success answer into an exception: 404 becomes {@link RegistryException.Kind#NOT_FOUND}.
   */
  static RegistryException unexpected(HttpTransport.Response response, String action) {
    String message = "Tried to " + action + " but failed because " + response.uri + " answered HTTP "
        + response.status + errorSummary(response);
    if (response.status == 404) {
      return new RegistryException(RegistryException.Kind.NOT_FOUND, 404, message, null);
    }
    if (response.status == 403) {
      return new RegistryException(RegistryException.Kind.FAILED, 403, message + " (access denied)", null);
    }
    return new RegistryException(RegistryException.Kind.FAILED, response.status, message, null);
  }

  /** " (MANIFEST_UNKNOWN: manifest unknown)" from a distribution error body, or "". */
  static String errorSummary(HttpTransport.Response response) {
    if (response.body == null || response.body.length == 0) {
      return "";
    }
    try {
      JsonNode root = Json.MAPPER.readTree(response.body);
      JsonNode errors = root == null ? null : root.get("errors");
      if (errors != null && errors.isArray() && errors.size() > 0) {
        JsonNode first = errors.get(0);
        String code = Json.optionalText(first, "code");
        String message = Json.optionalText(first, "message");
        return " (" + UntrustedText.printable(code == null ? "?" : code) + (message == null ? "" : ": " + UntrustedText.printable(message)) + ")";
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not a distribution error document; say nothing more
    }
    return "";
  }
}
