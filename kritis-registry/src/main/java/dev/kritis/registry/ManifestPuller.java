package dev.kritis.registry;

import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.reference.InvalidReferenceException;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code GET /v2/<name>/manifests/<reference>}: fetches a manifest or index, rehashes exactly the
 * bytes received, and checks them against the digest asked for and the one the registry claims.
 */
final class ManifestPuller {
  /** The distribution spec lets registries refuse manifests over 4 MiB; we refuse to read more. */
  static final long MAX_MANIFEST_BYTES = 4L * 1024 * 1024;

  /** A manifest's exact bytes and the digest they hash to. */
  static final class Manifest {
    final byte[] bytes;
    final Digest digest;
    final String mediaType;

    Manifest(byte[] bytes, Digest digest, String mediaType) {
      this.bytes = bytes;
      this.digest = digest;
      this.mediaType = mediaType;
    }
  }

  private final RegistryEndpoints endpoints;

  ManifestPuller(RegistryEndpoints endpoints) {
    this.endpoints = endpoints;
  }

  /**
   * @param reference a tag or a digest string
   * @param expected the digest the bytes must have (when {@code reference} is a digest)
   */
  Manifest pull(ImageReference repository, String reference, Optional<Digest> expected, String accept,
      Instant deadline) throws RegistryException {
    String name = repository.repository() + (reference.contains(":") ? "@" : ":") + reference;
    String action = "fetch the manifest " + name;
    URI uri = endpoints.repositoryUri(repository, "manifests/" + reference);
    HttpTransport.Response response = endpoints.call(repository, "GET", uri, accept, MAX_MANIFEST_BYTES, deadline, action);
    if (response.status != 200) {
      throw RegistryEndpoints.unexpected(response, action);
    }
    Digest actual = expected.map(d -> d.recompute(response.body)).orElseGet(() -> Digest.sha256Of(response.body));
    if (expected.isPresent() && !actual.equals(expected.get())) {
      throw RegistryException.failed("Tried to " + action + " but failed because the content "
          + uri + " sent hashes to " + actual + ", not the requested " + expected.get());
    }
    checkClaimedDigest(response, actual, action, uri);
    return new Manifest(response.body, actual, response.header("Content-Type").orElse(""));
  }

  /** The registry's Docker-Content-Digest, when sent, must name the bytes we got. */
  static void checkClaimedDigest(HttpTransport.Response response, Digest actual, String action, URI uri)
      throws RegistryException {
    Optional<String> claimed = response.header("Docker-Content-Digest");
    if (claimed.isEmpty()) {
      return;
    }
    Digest claimedDigest;
    try {
      claimedDigest = Digest.parse(claimed.get().trim());
    } catch (InvalidReferenceException e) {
      throw RegistryException.failed("Tried to " + action + " but failed because " + uri
          + " sent a malformed Docker-Content-Digest header: " + e.getMessage(), e);
    }
    Digest recomputed = claimedDigest.algorithm().equals(actual.algorithm()) ? actual : claimedDigest.recompute(response.body);
    if (!recomputed.equals(claimedDigest)) {
      throw RegistryException.failed("Tried to " + action + " but failed because " + uri
          + " claims Docker-Content-Digest " + claimedDigest + " but the content it sent hashes to " + recomputed);
    }
  }
}
