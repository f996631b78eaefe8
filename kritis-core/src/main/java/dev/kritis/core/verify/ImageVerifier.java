package dev.kritis.core.verify;

import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.attestation.AttestationSource;
import dev.kritis.core.attestation.AttestationSourceException;
import dev.kritis.core.attestation.InvalidAttestationException;
import dev.kritis.core.attestation.SimpleSigningPayload;
import dev.kritis.core.crypto.VerificationKey;
import dev.kritis.core.policy.AdmissionAllowlist;
import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.policy.GenericAttestationPolicy;
import dev.kritis.core.policy.ImagePattern;
import dev.kritis.core.policy.PolicySet;
import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.DigestResolver;
import dev.kritis.core.reference.DigestResolver.DigestResolutionException;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.reference.InvalidReferenceException;
import dev.kritis.core.verify.Reason.Code;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides whether images may run in a namespace: the one entry point of the library.
 *
 * <p>The rule (kritis semantics, see {@code design/architecture.md}): an image matching an
 * allowlist pattern is allowed; an image in a namespace with no GenericAttestationPolicy is
 * allowed; otherwise it is allowed when some policy of the namespace has every one of its
 * authorities attesting the image's digest. Everything else, including every error, denies.
 *
 * <p>Thread-safe; build one and share it. Verification never throws for bad data: a
 * {@link Decision} carries the verdict and the reasons.
 */
public final class ImageVerifier {
  private final Supplier<PolicySet> policies;
  private final List<AttestationSource> sources;
  private final DigestResolver resolver;
  private final Clock clock;

  private ImageVerifier(Builder b) {
    this.policies = b.policies;
    this.sources = List.copyOf(b.sources);
    this.resolver = b.resolver;
    this.clock = b.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Verifies each image (identical ones once) with a deadline {@code timeout} from now. */
  public Decision verify(String namespace, List<String> images, Duration timeout) {
    return verify(namespace, images, clock.instant().plus(timeout));
  }

  /**
   * Verifies each image; identical references are verified once.
   *
   * @param deadline checks still running then deny with a {@link Code#TIMED_OUT} reason
   */
  public Decision verify(String namespace, List<String> images, Instant deadline) {
    PolicySet snapshot = policies.get();
    Map<String, ImageDecision> byImage = new LinkedHashMap<>();
    List<ImageDecision> result = new ArrayList<>(images.size());
    for (String image : images) {
      result.add(byImage.computeIfAbsent(image, i -> verifyImage(snapshot, namespace, i, deadline)));
    }
    return new Decision(result);
  }

  /** Verifies one image against the current policies. */
  public ImageDecision verifyImage(String namespace, String image, Instant deadline) {
    return verifyImage(policies.get(), namespace, image, deadline);
  }

  /**
   * Verifies one image against a given policy snapshot. Callers that verify several images of
   * one request in parallel pass the same snapshot to each so the request sees one policy.
   */
  public ImageDecision verifyImage(PolicySet snapshot, String namespace, String image, Instant deadline) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(deadline, "deadline");
    List<Reason> reasons = new ArrayList<>();
    ImageReference reference;
    try {
      reference = ImageReference.parse(image);
    } catch (InvalidReferenceException e) {
      reasons.add(Reason.of(Code.INVALID_REFERENCE, e.getMessage()));
      return new ImageDecision(String.valueOf(image), null, false, reasons);
    }
    Optional<Reason> allowlisted = allowlistMatch(snapshot, namespace, reference);
    if (allowlisted.isPresent()) {
      reasons.add(allowlisted.get());
      return new ImageDecision(image, reference.digest().orElse(null), true, reasons);
    }
    List<GenericAttestationPolicy> namespacePolicies = snapshot.policies(namespace);
    if (namespacePolicies.isEmpty()) {
      reasons.add(Reason.of(Code.NO_POLICY, "namespace " + namespace + " has no GenericAttestationPolicy"));
      return new ImageDecision(image, reference.digest().orElse(null), true, reasons);
    }
    if (reference.digest().isEmpty()) {
      if (resolver == null) {
        reasons.add(Reason.of(Code.REFERENCED_BY_TAG,
            "image " + image + " is referenced by tag and no digest resolver is configured; reference it by digest"));
        return new ImageDecision(image, null, false, reasons);
      }
      try {
        Digest digest = resolver.resolve(reference, deadline);
        reference = reference.withDigest(digest);
      } catch (DigestResolutionException e) {
        reasons.add(Reason.of(e.tagNotFound() ? Code.TAG_NOT_FOUND : Code.DIGEST_RESOLUTION_FAILED,
            "cannot resolve " + image + " to a digest: " + e.getMessage()));
        return new ImageDecision(image, null, false, reasons);
      } catch (RuntimeException e) {
        reasons.add(Reason.of(Code.DIGEST_RESOLUTION_FAILED, "cannot resolve " + image + " to a digest: internal error " + e));
        return new ImageDecision(image, null, false, reasons);
      }
    }
    Digest digest = reference.digest().orElseThrow();
    Map<String, Boolean> attestedBy = new HashMap<>();
    for (GenericAttestationPolicy policy : namespacePolicies) {
      if (satisfies(snapshot, policy, reference, deadline, attestedBy, reasons)) {
        return new ImageDecision(image, digest, true, reasons);
      }
    }
    return new ImageDecision(image, digest, false, reasons);
  }

  private static Optional<Reason> allowlistMatch(PolicySet snapshot, String namespace, ImageReference reference) {
    // Match the text as written and the normalized form: both name the same image, and users
    // write patterns in either form ("nginx:*" or "docker.io/library/nginx:*").
    String written = reference.original();
    String normalized = reference.toString();
    for (AdmissionAllowlist list : snapshot.allowlists()) {
      for (ImagePattern pattern : list.patterns()) {
        if (pattern.matches(written) || pattern.matches(normalized)) {
          return Optional.of(Reason.of(Code.ALLOWLISTED,
              "matches pattern \"" + pattern + "\" of AdmissionAllowlist " + list.name()));
        }
      }
    }
    for (GenericAttestationPolicy policy : snapshot.policies(namespace)) {
      for (ImagePattern pattern : policy.allowlist()) {
        if (pattern.matches(written) || pattern.matches(normalized)) {
          return Optional.of(Reason.of(Code.ALLOWLISTED,
              "matches admissionAllowlistPatterns \"" + pattern + "\" of GenericAttestationPolicy " + id(policy),
              id(policy), null));
        }
      }
    }
    return Optional.empty();
  }

  private boolean satisfies(PolicySet snapshot, GenericAttestationPolicy policy, ImageReference image,
      Instant deadline, Map<String, Boolean> attestedBy, List<Reason> reasons) {
    String policyId = id(policy);
    if (policy.authorityNames().isEmpty()) {
      reasons.add(Reason.of(Code.POLICY_ERROR,
          "GenericAttestationPolicy " + policyId + " names no attestation authority, so it admits nothing", policyId, null));
      return false;
    }
    for (String name : policy.authorityNames()) {
      Optional<AttestationAuthority> authority = snapshot.authority(policy.namespace(), name);
      if (authority.isEmpty()) {
        reasons.add(Reason.of(Code.POLICY_ERROR, "GenericAttestationPolicy " + policyId
            + " names attestation authority " + name + ", which does not exist in namespace " + policy.namespace(),
            policyId, policy.namespace() + "/" + name));
        return false;
      }
      String authorityId = policy.namespace() + "/" + name;
      Boolean attested = attestedBy.get(authorityId);
      if (attested == null) {
        attested = attests(authority.get(), image, deadline, policyId, reasons);
        attestedBy.put(authorityId, attested);
      }
      if (!attested) {
        return false;
      }
    }
    reasons.add(Reason.of(Code.ATTESTED, "every authority of GenericAttestationPolicy " + policyId + " attests "
        + image.repository() + "@" + image.digest().orElseThrow(), policyId, null));
    return true;
  }

  /** Whether at least one attestation from any source verifies for {@code authority}. */
  private boolean attests(AttestationAuthority authority, ImageReference image, Instant deadline, String policyId,
      List<Reason> reasons) {
    String authorityId = authority.namespace() + "/" + authority.name();
    int found = 0;
    for (AttestationSource source : sources) {
      if (!clock.instant().isBefore(deadline)) {
        reasons.add(Reason.of(Code.TIMED_OUT, "verification timed out before " + source.describe()
            + " was asked for attestations by " + authorityId, policyId, authorityId));
        return false;
      }
      List<Attestation> attestations;
      try {
        attestations = source.attestationsFor(image, authority, deadline);
      } catch (AttestationSourceException e) {
        reasons.add(Reason.of(Code.SOURCE_ERROR, source.describe() + ": " + e.getMessage(), policyId, authorityId));
        continue;
      } catch (RuntimeException e) {
        reasons.add(Reason.of(Code.SOURCE_ERROR, source.describe() + " failed: " + e, policyId, authorityId));
        continue;
      }
      for (Attestation attestation : attestations) {
        found++;
        if (verifies(attestation, authority, image, policyId, authorityId, reasons)) {
          reasons.add(Reason.of(Code.ATTESTED, "attestation " + attestation.origin() + " by " + authorityId + " verifies",
              policyId, authorityId));
          return true;
        }
      }
    }
    if (found == 0) {
      reasons.add(Reason.of(Code.NO_ATTESTATIONS, "no attestation by " + authorityId + " for " + image.repository()
          + "@" + image.digest().orElseThrow(), policyId, authorityId));
    }
    reasons.add(Reason.of(Code.NOT_ATTESTED, "authority " + authorityId + " does not attest " + image.repository()
        + "@" + image.digest().orElseThrow(), policyId, authorityId));
    return false;
  }

  private static boolean verifies(Attestation attestation, AttestationAuthority authority, ImageReference image,
      String policyId, String authorityId, List<Reason> reasons) {
    List<VerificationKey> candidates = new ArrayList<>();
    Optional<String> keyId = attestation.publicKeyId();
    for (VerificationKey key : authority.keys()) {
      if (keyId.isEmpty() || keyId.get().equals(key.keyId())) {
        candidates.add(key);
      }
    }
    if (candidates.isEmpty()) {
      reasons.add(Reason.of(Code.UNKNOWN_KEY, "attestation " + attestation.origin() + " names key " + keyId.orElse("")
          + ", which authority " + authorityId + " does not have", policyId, authorityId));
      return false;
    }
    byte[] payload = null;
    for (VerificationKey key : candidates) {
      try {
        payload = key.verify(attestation.signature(), attestation.payload());
        break;
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next candidate key; one generic reason below
      }
    }
    if (payload == null) {
      reasons.add(Reason.of(Code.SIGNATURE_INVALID, "signature of attestation " + attestation.origin()
          + " does not verify under " + (keyId.isPresent() ? "key " + keyId.get() : "any key") + " of authority " + authorityId,
          policyId, authorityId));
      return false;
    }
    SimpleSigningPayload parsed;
    try {
      parsed = SimpleSigningPayload.parse(payload);
    } catch (InvalidAttestationException e) {
      reasons.add(Reason.of(Code.PAYLOAD_INVALID, "attestation " + attestation.origin() + ": " + e.getMessage(),
          policyId, authorityId));
      return false;
    }
    if (!SimpleSigningPayload.ACCEPTED_TYPES.contains(parsed.type())) {
      reasons.add(Reason.of(Code.UNSUPPORTED_TYPE, "attestation " + attestation.origin() + " has critical.type \""
          + parsed.type() + "\", expected one of " + SimpleSigningPayload.ACCEPTED_TYPES, policyId, authorityId));
      return false;
    }
    String digest = image.digest().orElseThrow().toString();
    if (!digest.equals(parsed.dockerManifestDigest())) {
      reasons.add(Reason.of(Code.DIGEST_MISMATCH, "attestation " + attestation.origin() + " is for digest "
          + parsed.dockerManifestDigest() + ", not " + digest, policyId, authorityId));
      return false;
    }
    String signedRepository;
    try {
      signedRepository = ImageReference.parse(parsed.dockerReference()).repository();
    } catch (InvalidReferenceException e) {
      reasons.add(Reason.of(Code.PAYLOAD_INVALID, "attestation " + attestation.origin()
          + ": critical.identity.docker-reference is not an image reference: " + e.getMessage(), policyId, authorityId));
      return false;
    }
    if (!signedRepository.equals(image.repository())) {
      reasons.add(Reason.of(Code.REFERENCE_MISMATCH, "attestation " + attestation.origin() + " is for repository "
          + signedRepository + ", not " + image.repository(), policyId, authorityId));
      return false;
    }
    return true;
  }

  private static String id(GenericAttestationPolicy policy) {
    return policy.namespace() + "/" + policy.name();
  }

  /** Configures an {@link ImageVerifier}. Policies are required; sources and resolver are not. */
  public static final class Builder {
    private Supplier<PolicySet> policies;
    private final List<AttestationSource> sources = new ArrayList<>();
    private DigestResolver resolver;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** A fixed policy set. */
    public Builder policies(PolicySet policySet) {
      Objects.requireNonNull(policySet, "policySet");
      this.policies = () -> policySet;
      return this;
    }

    /** A changing policy set: read once per {@link #verify} call, so one call sees one snapshot. */
    public Builder policies(Supplier<PolicySet> supplier) {
      this.policies = Objects.requireNonNull(supplier, "supplier");
      return this;
    }

    /** Adds a source; every source is asked, and any verifying attestation counts. */
    public Builder addSource(AttestationSource source) {
      sources.add(Objects.requireNonNull(source, "source"));
      return this;
    }

    /** Resolves tag-only references; without one they are not attested. */
    public Builder digestResolver(DigestResolver digestResolver) {
      this.resolver = Objects.requireNonNull(digestResolver, "digestResolver");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public ImageVerifier build() {
      if (policies == null) {
        throw new IllegalStateException("ImageVerifier needs policies");
      }
      return new ImageVerifier(this);
    }
  }
}
