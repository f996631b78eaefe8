package dev.kritis.registry;

import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.reference.InvalidReferenceException;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code HEAD /v2/<name>/manifests/<tag>}: the digest a tag names right now, as the registry
 * reports it in Docker-Content-Digest. When the HEAD answer has no usable digest, falls back to
 * GET and hashes the body itself. The digest is that of whatever the tag names, so a multi-arch
 * tag resolves to its index, never to one platform's manifest.
 */
final class TagResolver {
  private final RegistryEndpoints endpoints;
  private final ManifestPuller manifests;

  TagResolver(RegistryEndpoints endpoints, ManifestPuller manifests) {
    this.endpoints = endpoints;
    this.manifests = manifests;
  }

  Digest resolve(ImageReference reference, Instant deadline) throws RegistryException {
    String tag = reference.tag().orElse("latest");
    String action = "resolve " + reference.repository() + ":" + tag + " to a digest";
    URI uri = endpoints.repositoryUri(reference, "manifests/" + tag);
    HttpTransport.Response head = endpoints.call(reference, "HEAD", uri, MediaTypes.ACCEPT_ANY, 0, deadline, action);
    if (head.status == 404) {
      throw new RegistryException(RegistryException.Kind.NOT_FOUND, 404, "Tried to " + action
          + " but failed because " + uri + " answered HTTP 404: the tag does not exist", null);
    }
    if (head.status == 200) {
      Optional<String> claimed = head.header("Docker-Content-Digest");
      if (claimed.isPresent()) {
        try {
          return Digest.parse(claimed.get().trim());
        } catch (InvalidReferenceException e) {
          // a malformed header: fall through and hash the manifest ourselves
        }
      }
    } else if (head.status != 405 && head.status != 400 && head.status != 406) {
      throw RegistryEndpoints.unexpected(head, action);
    }
    try {
      return manifests.pull(reference, tag, Optional.empty(), MediaTypes.ACCEPT_ANY, deadline).digest;
    } catch (RegistryException e) {
      if (e.isNotFound()) {
        throw new RegistryException(RegistryException.Kind.NOT_FOUND, 404, "Tried to " + action
            + " but failed because " + uri + " answered HTTP 404: the tag does not exist", e);
      }
      throw e;
    }
  }
}
