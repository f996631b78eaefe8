package dev.kritis.core.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kritis.core.attestation.AttestationSource;
import dev.kritis.core.attestation.AttestationSourceException;
import dev.kritis.core.attestation.OccurrenceDirectorySource;
import dev.kritis.core.policy.PolicySet;
import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.DigestResolver;
import dev.kritis.core.verify.Reason.Code;
import dev.kritis.testkit.Attestations;
import dev.kritis.testkit.Manifests;
import dev.kritis.testkit.TestKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageVerifierTest {
  static final TestKey KEY = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
  static final TestKey OTHER_KEY = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
  static final String KEY_ID = "kms-key-1";
  static final String NOTE = "namespaces/13579-namespace";
  static final String DIGEST = Attestations.digest(11);
  static final String OTHER_DIGEST = Attestations.digest(12);
  static final String SIGNED = "nginx@" + DIGEST;
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path dir;
  Path occurrences;
  String policies;

  @BeforeEach
  void setUp() throws Exception {
    occurrences = Files.createDirectories(dir.resolve("occurrences"));
    policies = Manifests.documents(
        Manifests.seedAuthority("default", "auth-a", NOTE, KEY, KEY_ID),
        Manifests.policy("default", "gap", List.of("auth-a"), List.of()));
  }

  private void attest(String name, String occurrenceJson) throws Exception {
    Files.writeString(occurrences.resolve(name + ".json"), occurrenceJson);
  }

  private void attestNginx() throws Exception {
    attest("nginx", Attestations.occurrence("https://docker.io/library/nginx@" + DIGEST, NOTE,
        Attestations.payload("docker.io/library/nginx", DIGEST), KEY, KEY_ID));
  }

  private ImageVerifier verifier() throws Exception {
    return ImageVerifier.builder()
        .policies(PolicySet.builder().addManifest(policies, "policies.yaml").build())
        .addSource(OccurrenceDirectorySource.load(occurrences))
        .build();
  }

  private ImageDecision check(String image) throws Exception {
    return verifier().verify("default", List.of(image), TIMEOUT).images().get(0);
  }

  private static List<Code> codes(ImageDecision decision) {
    List<Code> codes = new ArrayList<>();
    decision.reasons().forEach(r -> codes.add(r.code()));
    return codes;
  }

  @Test
  void verify_signedImageByDigest_isAllowed() throws Exception {
    attestNginx();
    ImageDecision decision = check(SIGNED);
    assertThat(decision.allowed()).isTrue();
    assertThat(decision.message()).isEqualTo("image " + SIGNED + " is attested");
    assertThat(decision.digest().map(Digest::toString)).contains(DIGEST);
    assertThat(codes(decision)).contains(Code.ATTESTED);
  }

  @Test
  void verify_signedImageWithTagAndDigest_isVerifiedByTheDigest() throws Exception {
    attestNginx();
    assertThat(check("docker.io/library/nginx:1.25@" + DIGEST).allowed()).isTrue();
  }

  @Test
  void verify_unsignedImage_isDeniedWithTheExactMessage() throws Exception {
    ImageDecision decision = check("alpine@" + OTHER_DIGEST);
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.message()).isEqualTo("image alpine@" + OTHER_DIGEST + " is not attested");
    assertThat(codes(decision)).contains(Code.NO_ATTESTATIONS, Code.NOT_ATTESTED);
  }

  @Test
  void verify_tagOnlyWithoutResolver_isNotAttested() throws Exception {
    attestNginx();
    ImageDecision decision = check("alpine:3.11");
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.message()).isEqualTo("image alpine:3.11 is not attested");
    assertThat(codes(decision)).containsExactly(Code.REFERENCED_BY_TAG);
  }

  @Test
  void verify_tagOnlyWithResolver_verifiesTheResolvedDigest() throws Exception {
    attestNginx();
    Digest resolved = Digest.parse(DIGEST);
    DigestResolver resolver = (ref, deadline) -> resolved;
    ImageVerifier verifier = ImageVerifier.builder()
        .policies(PolicySet.builder().addManifest(policies, "p").build())
        .addSource(OccurrenceDirectorySource.load(occurrences)).digestResolver(resolver).build();
    ImageDecision decision = verifier.verify("default", List.of("nginx:1.25"), TIMEOUT).images().get(0);
    assertThat(decision.allowed()).isTrue();
    assertThat(decision.digest().map(Digest::toString)).contains(DIGEST);
  }

  @Test
  void verify_resolverFailure_deniesWithTheResolversReason() throws Exception {
    DigestResolver resolver = (ref, deadline) -> {
      throw new DigestResolver.DigestResolutionException("registry docker.io refused the credentials");
    };
    ImageVerifier verifier = ImageVerifier.builder()
        .policies(PolicySet.builder().addManifest(policies, "p").build()).digestResolver(resolver).build();
    ImageDecision decision = verifier.verify("default", List.of("nginx:1.25"), TIMEOUT).images().get(0);
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reasons()).singleElement().satisfies(r -> {
      assertThat(r.code()).isEqualTo(Code.DIGEST_RESOLUTION_FAILED);
      assertThat(r.message()).contains("refused the credentials");
    });
  }

  @Test
  void verify_tagTheRegistryDoesNotKnow_isDeniedAsNotFoundNotAsAFailure() throws Exception {
    DigestResolver resolver = (ref, deadline) -> {
      throw new DigestResolver.DigestResolutionException("registry docker.io: manifest unknown", null, true);
    };
    ImageVerifier verifier = ImageVerifier.builder()
        .policies(PolicySet.builder().addManifest(policies, "p").build()).digestResolver(resolver).build();
    ImageDecision decision = verifier.verify("default", List.of("nginx:nope"), TIMEOUT).images().get(0);
    assertThat(decision.allowed()).isFalse();
    assertThat(codes(decision)).containsExactly(Code.TAG_NOT_FOUND);
  }

  @Test
  void verify_namespaceWithoutPolicy_isAllowed() throws Exception {
    ImageDecision decision = verifier().verify("other", List.of("alpine:3.11"), TIMEOUT).images().get(0);
    assertThat(decision.allowed()).isTrue();
    assertThat(codes(decision)).containsExactly(Code.NO_POLICY);
  }

  @Test
  void verify_signatureByAnotherKey_isDenied() throws Exception {
    attest("x", Attestations.occurrence("https://nginx@" + DIGEST, NOTE, Attestations.payload("nginx", DIGEST), OTHER_KEY, KEY_ID));
    ImageDecision decision = check(SIGNED);
    assertThat(decision.allowed()).isFalse();
    assertThat(codes(decision)).contains(Code.SIGNATURE_INVALID);
  }

  @Test
  void verify_signatureForOtherDigest_isNotAttested() throws Exception {
    // A valid signature over a payload for another digest, filed under this image's digest.
    attest("x", Attestations.occurrence("https://nginx@" + DIGEST, NOTE, Attestations.payload("nginx", OTHER_DIGEST), KEY, KEY_ID));
    ImageDecision decision = check(SIGNED);
    assertThat(decision.allowed()).isFalse();
    assertThat(codes(decision)).contains(Code.DIGEST_MISMATCH);
  }

  @Test
  void verify_signatureForOtherRepository_isNotAttested() throws Exception {
    attest("x", Attestations.occurrence("https://nginx@" + DIGEST, NOTE, Attestations.payload("gcr.io/evil/nginx", DIGEST), KEY, KEY_ID));
    ImageDecision decision = check(SIGNED);
    assertThat(decision.allowed()).isFalse();
    assertThat(codes(decision)).contains(Code.REFERENCE_MISMATCH);
  }

  @Test
  void verify_payloadReferenceInShortForm_matchesAfterNormalization() throws Exception {
    attest("x", Attestations.occurrence("https://nginx@" + DIGEST, NOTE, Attestations.payload("nginx", DIGEST), KEY, KEY_ID));
    assertThat(check("docker.io/library/nginx@" + DIGEST).allowed()).isTrue();
  }

  @Test
  void verify_unacceptedPayloadType_isNotAttested() throws Exception {
    attest("x", Attestations.occurrence("https://nginx@" + DIGEST, NOTE,
        Attestations.payload("nginx", DIGEST, "my own signature"), KEY, KEY_ID));
    assertThat(codes(check(SIGNED))).contains(Code.UNSUPPORTED_TYPE);
  }

  @Test
  void verify_eachAcceptedPayloadType_isAttested() throws Exception {
    for (String type : List.of("atomic container signature", "cosign container image signature",
        "Google cloud binauthz container signature")) {
      attest("x", Attestations.occurrence("https://nginx@" + DIGEST, NOTE, Attestations.payload("nginx", DIGEST, type), KEY, KEY_ID));
      assertThat(check(SIGNED).allowed()).as(type).isTrue();
    }
  }

  @Test
  void verify_signatureNamingAnUnknownKeyId_isNotTriedAgainstOtherKeys() throws Exception {
    attest("x", Attestations.occurrence("https://nginx@" + DIGEST, NOTE, Attestations.payload("nginx", DIGEST), KEY, "some-other-id"));
    ImageDecision decision = check(SIGNED);
    assertThat(decision.allowed()).isFalse();
    assertThat(codes(decision)).contains(Code.UNKNOWN_KEY);
  }

  @Test
  void verify_signatureNamingNoKeyId_isTriedAgainstAllKeys() throws Exception {
    attest("x", Attestations.occurrence("https://nginx@" + DIGEST, NOTE, Attestations.payload("nginx", DIGEST), KEY, null));
    assertThat(check(SIGNED).allowed()).isTrue();
  }

  @Test
  void verify_occurrenceUnderAnotherNote_doesNotCount() throws Exception {
    attest("x", Attestations.occurrence("https://nginx@" + DIGEST, "namespaces/someone-else",
        Attestations.payload("nginx", DIGEST), KEY, KEY_ID));
    ImageDecision decision = check(SIGNED);
    assertThat(decision.allowed()).isFalse();
    assertThat(codes(decision)).contains(Code.NO_ATTESTATIONS);
  }

  @Test
  void verify_occurrenceForAnotherImage_doesNotCount() throws Exception {
    attest("x", Attestations.occurrence("https://gcr.io/p/nginx@" + DIGEST, NOTE, Attestations.payload("nginx", DIGEST), KEY, KEY_ID));
    assertThat(check(SIGNED).allowed()).isFalse();
  }

  @Test
  void verify_policyNeedsEveryAuthority() throws Exception {
    policies = Manifests.documents(
        Manifests.seedAuthority("default", "auth-a", NOTE, KEY, KEY_ID),
        Manifests.seedAuthority("default", "auth-b", null, OTHER_KEY, "key-b"),
        Manifests.policy("default", "gap", List.of("auth-a", "auth-b"), List.of()));
    attestNginx();
    assertThat(check(SIGNED).allowed()).isFalse();
    attest("b", Attestations.occurrence("https://nginx@" + DIGEST, null, Attestations.payload("nginx", DIGEST), OTHER_KEY, "key-b"));
    assertThat(check(SIGNED).allowed()).isTrue();
  }

  @Test
  void verify_somePolicySatisfied_isEnough() throws Exception {
    policies = Manifests.documents(
        Manifests.seedAuthority("default", "auth-a", NOTE, KEY, KEY_ID),
        Manifests.seedAuthority("default", "auth-b", null, OTHER_KEY, "key-b"),
        Manifests.policy("default", "needs-b", List.of("auth-b"), List.of()),
        Manifests.policy("default", "needs-a", List.of("auth-a"), List.of()));
    attestNginx();
    ImageDecision decision = check(SIGNED);
    assertThat(decision.allowed()).isTrue();
    assertThat(decision.reasons()).anySatisfy(r -> assertThat(r.policy()).contains("default/needs-a"));
  }

  @Test
  void verify_policyWithoutAuthorities_deniesNamingThePolicy() throws Exception {
    policies = Manifests.policy("default", "empty-gap", List.of(), List.of());
    ImageDecision decision = check(SIGNED);
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reasons()).anySatisfy(r -> {
      assertThat(r.code()).isEqualTo(Code.POLICY_ERROR);
      assertThat(r.message()).contains("default/empty-gap");
    });
  }

  @Test
  void verify_policyNamingMissingAuthority_deniesNamingPolicyAndAuthority() throws Exception {
    policies = Manifests.policy("default", "gap", List.of("ghost"), List.of());
    attestNginx();
    ImageDecision decision = check(SIGNED);
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reasons()).anySatisfy(r -> assertThat(r.message()).contains("default/gap").contains("ghost"));
  }

  @Test
  void verify_authorityInAnotherNamespace_doesNotSatisfyThePolicy() throws Exception {
    policies = Manifests.documents(
        Manifests.seedAuthority("elsewhere", "auth-a", NOTE, KEY, KEY_ID),
        Manifests.policy("default", "gap", List.of("auth-a"), List.of()));
    attestNginx();
    assertThat(check(SIGNED).allowed()).isFalse();
  }

  @Test
  void verify_gapAllowlistPattern_allowsWithoutAttestation() throws Exception {
    policies = Manifests.documents(
        Manifests.seedAuthority("default", "auth-a", NOTE, KEY, KEY_ID),
        Manifests.policy("default", "gap", List.of("auth-a"), List.of("gcr.io/trusted/*")));
    ImageDecision decision = check("gcr.io/trusted/app:v1");
    assertThat(decision.allowed()).isTrue();
    assertThat(decision.message()).isEqualTo("image gcr.io/trusted/app:v1 is allowlisted");
    assertThat(check("gcr.io/trusted/sub/app:v1").allowed()).isFalse();
    assertThat(check("gcr.io/trusted-not/app:v1").allowed()).isFalse();
  }

  @Test
  void verify_clusterAllowlist_matchesWrittenOrNormalizedForm() throws Exception {
    policies = Manifests.documents(policies, Manifests.allowlist("sys", List.of("docker.io/library/busybox:*", "pause:*")));
    assertThat(check("busybox:1.36").allowed()).isTrue();
    assertThat(check("pause:3.9").allowed()).isTrue();
    assertThat(check("docker.io/library/pause:3.9").allowed()).isFalse();
    assertThat(check("evil.io/library/busybox:1.36").allowed()).isFalse();
  }

  @Test
  void verify_invalidReference_isDeniedNotThrown() throws Exception {
    ImageDecision decision = check("NOT A REFERENCE");
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.message()).isEqualTo("image NOT A REFERENCE is not attested");
    assertThat(codes(decision)).containsExactly(Code.INVALID_REFERENCE);
  }

  @Test
  void verify_severalImages_allowedOnlyIfAllAreAndSameImageCheckedOnce() throws Exception {
    attestNginx();
    AtomicInteger calls = new AtomicInteger();
    OccurrenceDirectorySource inner = OccurrenceDirectorySource.load(occurrences);
    AttestationSource counting = TestSources.of("counting", (image, authority) -> {
      calls.incrementAndGet();
      return inner.attestationsFor(image, authority, Instant.MAX);
    });
    ImageVerifier verifier = ImageVerifier.builder()
        .policies(PolicySet.builder().addManifest(policies, "p").build()).addSource(counting).build();
    Decision decision = verifier.verify("default", List.of(SIGNED, "alpine:3.11", SIGNED), TIMEOUT);
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.images()).extracting(ImageDecision::allowed).containsExactly(true, false, true);
    assertThat(decision.denialMessages()).containsExactly("image alpine:3.11 is not attested");
    assertThat(calls).hasValue(1);
  }

  @Test
  void verify_failingSource_deniesWithItsReasonButOtherSourcesStillCount() throws Exception {
    AttestationSource broken = TestSources.of("grafeas", (image, authority) -> {
      throw new AttestationSourceException("grafeas at https://g.example is unreachable");
    });
    ImageVerifier onlyBroken = ImageVerifier.builder()
        .policies(PolicySet.builder().addManifest(policies, "p").build()).addSource(broken).build();
    ImageDecision denied = onlyBroken.verify("default", List.of(SIGNED), TIMEOUT).images().get(0);
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.reasons()).anySatisfy(r -> assertThat(r.message()).contains("unreachable"));

    attestNginx();
    ImageVerifier both = ImageVerifier.builder()
        .policies(PolicySet.builder().addManifest(policies, "p").build())
        .addSource(broken).addSource(OccurrenceDirectorySource.load(occurrences)).build();
    assertThat(both.verify("default", List.of(SIGNED), TIMEOUT).allowed()).isTrue();
  }

  @Test
  void verify_sourceThrowingUnchecked_deniesInsteadOfPropagating() throws Exception {
    AttestationSource buggy = TestSources.of("buggy", (image, authority) -> {
      throw new IllegalStateException("bug");
    });
    ImageVerifier verifier = ImageVerifier.builder()
        .policies(PolicySet.builder().addManifest(policies, "p").build()).addSource(buggy).build();
    assertThat(verifier.verify("default", List.of(SIGNED), TIMEOUT).allowed()).isFalse();
  }

  @Test
  void verify_deadlineAlreadyPassed_deniesAsTimedOut() throws Exception {
    attestNginx();
    Decision decision = verifier().verify("default", List.of(SIGNED), Instant.now().minusSeconds(1));
    assertThat(decision.allowed()).isFalse();
    assertThat(codes(decision.images().get(0))).contains(Code.TIMED_OUT);
  }

  @Test
  void verify_policySupplier_isReadOncePerCall() throws Exception {
    attestNginx();
    AtomicInteger reads = new AtomicInteger();
    PolicySet set = PolicySet.builder().addManifest(policies, "p").build();
    ImageVerifier verifier = ImageVerifier.builder().policies(() -> {
      reads.incrementAndGet();
      return set;
    }).addSource(OccurrenceDirectorySource.load(occurrences)).build();
    verifier.verify("default", List.of(SIGNED, "a@" + DIGEST, "b@" + DIGEST), TIMEOUT);
    assertThat(reads).hasValue(1);
  }

  @Test
  void verify_tamperedSignatureBytes_areDenied() throws Exception {
    byte[] payload = Attestations.payload("nginx", DIGEST);
    byte[] signature = KEY.sign(payload);
    signature[signature.length / 2] ^= 1;
    attest("x", Attestations.occurrence("https://nginx@" + DIGEST, NOTE, payload, signature, KEY_ID));
    assertThat(check(SIGNED).allowed()).isFalse();
  }

  @Test
  void verify_payloadSwappedUnderAValidSignature_isDenied() throws Exception {
    byte[] signed = Attestations.payload("nginx", OTHER_DIGEST);
    byte[] shown = Attestations.payload("nginx", DIGEST);
    attest("x", Attestations.occurrence("https://nginx@" + DIGEST, NOTE, shown, KEY.sign(signed), KEY_ID));
    ImageDecision decision = check(SIGNED);
    assertThat(decision.allowed()).isFalse();
    assertThat(codes(decision)).contains(Code.SIGNATURE_INVALID);
    assertThat(new String(shown, StandardCharsets.UTF_8)).contains(DIGEST);
  }
}
