package dev.kritis.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.reference.InvalidReferenceException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The OCI 1.1 referrers of a digest: {@code GET /v2/<name>/referrers/<digest>?artifactType=…},
 * or, when the registry does not implement that API (404), the referrers tag schema: an OCI
 * index tagged {@code <alg>-<hex>}. Either way the answer is filtered by artifact type here too,
 * because a registry may ignore the filter.
 */
final class ReferrersPuller {
  private final RegistryEndpoints endpoints;
  private final ManifestPuller manifests;

  ReferrersPuller(RegistryEndpoints endpoints, ManifestPuller manifests) {
    this.endpoints = endpoints;
    this.manifests = manifests;
  }

  /** The digests of the referrers of {@code image} with {@code artifactType}. */
  List<Digest> referrers(ImageReference image, String artifactType, Instant deadline) throws RegistryException {
    Digest subject = image.digest().orElseThrow();
    String action = "list the referrers of " + image.repository() + "@" + subject;
    URI uri = endpoints.repositoryUri(image, "referrers/" + subject + "?artifactType="
        + RegistryAuthenticator.encode(artifactType));
    HttpTransport.Response response = endpoints.call(image, "GET", uri, MediaTypes.ACCEPT_INDEX,
        ManifestPuller.MAX_MANIFEST_BYTES, deadline, action);
    byte[] index;
    String where;
    if (response.status == 200) {
      index = response.body;
      where = "the referrers list " + uri;
    } else if (response.status == 404) {
      String tag = subject.algorithm() + "-" + subject.hex();
      String fallbackAction = action + " through the referrers tag " + tag;
      try {
        index = manifests.pull(image, tag, Optional.empty(), MediaTypes.ACCEPT_INDEX, deadline).bytes;
      } catch (RegistryException e) {
        if (e.isNotFound()) {
          return List.of(); // neither the API nor the tag: no referrers
        }
        throw e;
      }
      action = fallbackAction;
      where = "the referrers index " + image.repository() + ":" + tag;
    } else {
      throw RegistryEndpoints.unexpected(response, action);
    }
    JsonNode root = Json.object(index, action, where);
    JsonNode list = root.get("manifests");
    if (list == null || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw RegistryException.failed("Tried to " + action + " but failed because \"manifests\" in " + where
          + " is not an array");
    }
    List<Digest> result = new ArrayList<>();
    for (JsonNode descriptor : list) {
      if (!descriptor.isObject() || !artifactType.equals(Json.optionalText(descriptor, "artifactType"))) {
        continue;
      }
      try {
        result.add(Digest.parse(String.valueOf(Json.optionalText(descriptor, "digest"))));
      } catch (InvalidReferenceException e) {
        // a descriptor with a bad digest cannot name anything; the others still count
      }
    }
    return result;
  }
}
