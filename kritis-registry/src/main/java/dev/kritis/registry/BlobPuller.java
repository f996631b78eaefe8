package dev.kritis.registry;

import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.ImageReference;
import java.net.URI;
import java.time.Instant;

/**
 * {@code GET /v2/<name>/blobs/<digest>}: fetches a blob (following the redirect to storage that
 * real registries send, without credentials if it leaves the registry) and rehashes it.
 */
final class BlobPuller {
  private final RegistryEndpoints endpoints;

  BlobPuller(RegistryEndpoints endpoints) {
    this.endpoints = endpoints;
  }

  byte[] pull(ImageReference repository, Digest digest, long maxBytes, Instant deadline) throws RegistryException {
    String action = "fetch the blob " + repository.repository() + "@" + digest;
    URI uri = endpoints.repositoryUri(repository, "blobs/" + digest);
    HttpTransport.Response response = endpoints.call(repository, "GET", uri, null, maxBytes, deadline, action);
    if (response.status != 200) {
      throw RegistryEndpoints.unexpected(response, action);
    }
    Digest actual = digest.recompute(response.body);
    if (!actual.equals(digest)) {
      throw RegistryException.failed("Tried to " + action + " but failed because the content " + response.uri
          + " sent hashes to " + actual + ", not the requested " + digest);
    }
    return response.body;
  }
}
