package dev.kritis.registry;

import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.attestation.AttestationSource;
import dev.kritis.core.attestation.AttestationSourceException;
import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.ImageReference;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Cosign signatures stored in the image's own repository under the tag
 * {@code sha256-<hex>.sig}: each layer of media type
 * {@code application/vnd.dev.cosign.simplesigning.v1+json} is one {@link Attestation} whose
 * payload is the layer blob (fetched and rehashed) and whose signature is the base64-decoded
 * {@code dev.cosignproject.cosign/signature} annotation. No key id is named, so the verifier
 * tries every key of the authority.
 *
 * <p>A missing signature tag means "no signatures" (an empty list), not an error. Anything else
 * that goes wrong throws {@link AttestationSourceException}, so the verifier denies. Results are
 * cached per repository and digest (see {@link RegistryClient.Builder#signatureCacheTtl}).
 * Obtain one from {@link RegistryClient#cosignSignatures()}; thread-safe.
 */
public final class CosignSignatureSource implements AttestationSource {
  private final ManifestPuller manifests;
  private final SignatureLayers layers;
  private final LookupCache<String, List<Attestation>> cache;
  private final RegistryClient.CachePolicy cachePolicy;

  CosignSignatureSource(ManifestPuller manifests, SignatureLayers layers, LookupCache<String, List<Attestation>> cache,
      RegistryClient.CachePolicy cachePolicy) {
    this.manifests = manifests;
    this.layers = layers;
    this.cache = cache;
    this.cachePolicy = cachePolicy;
  }

  @Override
  public List<Attestation> attestationsFor(ImageReference image, AttestationAuthority authority, Instant deadline)
      throws AttestationSourceException {
    Objects.requireNonNull(deadline, "deadline");
    Digest digest = image.digest().orElseThrow(() -> new IllegalArgumentException("image must have a digest: " + image));
    String tag = digest.algorithm() + "-" + digest.hex() + ".sig";
    String name = image.repository() + ":" + tag;
    String action = "read the cosign signatures of " + image.repository() + "@" + digest + " from " + name;
    try {
      return cache.get("cosign " + image.repository() + "@" + digest, deadline, action, () -> {
        ManifestPuller.Manifest manifest;
        try {
          manifest = manifests.pull(image, tag, Optional.empty(), MediaTypes.ACCEPT_MANIFEST, deadline);
        } catch (RegistryException e) {
          if (e.isNotFound()) {
            return cachePolicy.forSignatures(List.of());
          }
          throw e;
        }
        return cachePolicy.forSignatures(layers.read(image, manifest, name, deadline, action));
      });
    } catch (RegistryException e) {
      throw new AttestationSourceException(e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "cosign signatures in the registry";
  }
}
