package dev.kritis.registry;

import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.attestation.AttestationSource;
import dev.kritis.core.attestation.AttestationSourceException;
import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.ImageReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Signatures attached to the image as OCI 1.1 referrers of a given artifact type (by default
 * cosign's {@code application/vnd.dev.cosign.artifact.sig.v1+json}). Uses the referrers API and,
 * when the registry answers 404 there, the referrers tag schema ({@code sha256-<hex>}). Each
 * referrer manifest is fetched by digest and rehashed, and its cosign simple-signing layers are
 * read as in {@link CosignSignatureSource}.
 *
 * <p>No referrers means an empty list; any failure throws {@link AttestationSourceException}.
 * Obtain one from {@link RegistryClient#referrers()}; thread-safe.
 */
public final class ReferrersSignatureSource implements AttestationSource {
  private final ReferrersPuller referrers;
  private final ManifestPuller manifests;
  private final SignatureLayers layers;
  private final String artifactType;
  private final LookupCache<String, List<Attestation>> cache;
  private final RegistryClient.CachePolicy cachePolicy;

  ReferrersSignatureSource(ReferrersPuller referrers, ManifestPuller manifests, SignatureLayers layers,
      String artifactType, LookupCache<String, List<Attestation>> cache, RegistryClient.CachePolicy cachePolicy) {
    this.referrers = referrers;
    this.manifests = manifests;
    this.layers = layers;
    this.artifactType = artifactType;
    this.cache = cache;
    this.cachePolicy = cachePolicy;
  }

  /** The artifact type this source reads. */
  public String artifactType() {
    return artifactType;
  }

  @Override
  public List<Attestation> attestationsFor(ImageReference image, AttestationAuthority authority, Instant deadline)
      throws AttestationSourceException {
    Objects.requireNonNull(deadline, "deadline");
    Digest digest = image.digest().orElseThrow(() -> new IllegalArgumentException("image must have a digest: " + image));
    String action = "read the " + artifactType + " referrers of " + image.repository() + "@" + digest;
    try {
      return cache.get("referrers " + artifactType + " " + image.repository() + "@" + digest, deadline, action, () -> {
        List<Attestation> result = new ArrayList<>();
        for (Digest referrer : referrers.referrers(image, artifactType, deadline)) {
          ManifestPuller.Manifest manifest =
              manifests.pull(image, referrer.toString(), Optional.of(referrer), MediaTypes.ACCEPT_MANIFEST, deadline);
          result.addAll(layers.read(image, manifest, image.repository() + "@" + referrer, deadline, action));
        }
        return cachePolicy.forSignatures(result);
      });
    } catch (RegistryException e) {
      throw new AttestationSourceException(e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "OCI referrers of type " + artifactType;
  }
}
