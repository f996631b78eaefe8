package dev.kritis.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.reference.InvalidReferenceException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads cosign simple-signing signatures from a signature manifest: every layer of media type
 * {@code application/vnd.dev.cosign.simplesigning.v1+json} whose annotation
 * {@code dev.cosignproject.cosign/signature} holds a base64 signature over the layer blob.
 *
 * <p>A layer that cannot be used (bad base64, oversized, wrong digest syntax) is skipped rather
 * than failing the whole manifest: anyone who can push to the repository could otherwise block
 * every good signature with one bad layer. When nothing usable is left and something was
 * skipped, that is an error, so the user learns why no signature counted.
 */
final class SignatureLayers {
  private final BlobPuller blobs;
  private final long maxBlobBytes;

  SignatureLayers(BlobPuller blobs, long maxBlobBytes) {
    this.blobs = blobs;
    this.maxBlobBytes = maxBlobBytes;
  }

  /** @param origin names the manifest in attestation origins, e.g. {@code repo:sha256-….sig} */
  List<Attestation> read(ImageReference repository, ManifestPuller.Manifest manifest, String origin, Instant deadline,
      String action) throws RegistryException {
    JsonNode root = Json.object(manifest.bytes, action, "the signature manifest " + origin);
    JsonNode layers = root.get("layers");
    if (layers == null || !layers.isArray()) {
      throw RegistryException.failed("Tried to " + action + " but failed because the signature manifest " + origin
          + " has no \"layers\" array");
    }
    List<Attestation> result = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      JsonNode layer = layers.get(i);
      String where = origin + " layer " + i;
      if (!layer.isObject() || !MediaTypes.COSIGN_SIMPLE_SIGNING.equals(Json.optionalText(layer, "mediaType"))) {
        continue;
      }
      JsonNode annotations = layer.get("annotations");
      String signature = annotations == null || !annotations.isObject() ? null
          : Json.optionalText(annotations, MediaTypes.COSIGN_SIGNATURE_ANNOTATION);
      if (signature == null || signature.isEmpty()) {
        skipped.add(where + " has no " + MediaTypes.COSIGN_SIGNATURE_ANNOTATION + " annotation");
        continue;
      }
      byte[] signatureBytes;
      try {
        signatureBytes = Base64.getDecoder().decode(signature.trim());
      } catch (IllegalArgumentException e) {
        skipped.add(where + " has a signature annotation that is not base64");
        continue;
      }
      Digest digest;
      try {
        digest = Digest.parse(String.valueOf(Json.optionalText(layer, "digest")));
      } catch (InvalidReferenceException e) {
        skipped.add(where + " has an invalid digest: " + e.getMessage());
        continue;
      }
      JsonNode size = layer.get("size");
      if (size != null && size.canConvertToLong() && size.asLong() > maxBlobBytes) {
        skipped.add(where + " is " + size.asLong() + " bytes, more than the limit of " + maxBlobBytes);
        continue;
      }
      byte[] payload = blobs.pull(repository, digest, maxBlobBytes, deadline);
      result.add(Attestation.builder().payload(payload).signature(signatureBytes).origin(where).build());
    }
    if (result.isEmpty() && !skipped.isEmpty()) {
      throw RegistryException.failed("Tried to " + action + " but failed because no signature layer is usable: "
          + String.join("; ", skipped));
    }
    return result;
  }
}
