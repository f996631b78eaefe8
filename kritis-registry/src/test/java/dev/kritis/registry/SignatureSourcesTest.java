package dev.kritis.registry;

import static dev.kritis.registry.TagResolutionTest.clientFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.attestation.AttestationSourceException;
import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.policy.PolicySet;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.verify.ImageDecision;
import dev.kritis.core.verify.ImageVerifier;
import dev.kritis.core.verify.Reason;
import dev.kritis.testkit.TestKey;
import dev.kritis.testkit.registry.FakeRegistry;
import dev.kritis.testkit.registry.Fault;
import dev.kritis.testkit.registry.ImagePusher;
import dev.kritis.testkit.registry.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cosign, referrers and Grafeas sources against the fake, and what the verifier makes of them. */
class SignatureSourcesTest {
  private static TestKey key;
  private static PolicySet policies;
  private static AttestationAuthority authority;

  private FakeRegistry fake;
  private ImagePusher pusher;
  private String repository;
  private String digest;
  private ImageReference image;

  @BeforeAll
  static void keys() throws Exception {
    key = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
    policies = Policies.requiring(key);
    authority = policies.authority(Policies.NAMESPACE, "signer").orElseThrow();
  }

  @BeforeEach
  void start() throws Exception {
    fake = FakeRegistry.start();
    pusher = ImagePusher.to(fake.baseUri(), null);
    repository = fake.hostPort() + "/team/app";
    digest = pusher.pushImage("team/app", "v1", "sources", true);
    image = ImageReference.parse(repository + "@" + digest);
    fake.clearRequests();
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  private static Instant soon() {
    return Instant.now().plusSeconds(5);
  }

  private String sigTagPath() {
    return "/v2/team/app/manifests/" + ImagePusher.signatureTag(digest);
  }

  private void sign() throws Exception {
    pusher.pushCosignSignature("team/app", digest, repository, key);
    fake.clearRequests();
  }

  private ImageDecision verifyWith(RegistryClient client, boolean referrers) {
    ImageVerifier verifier = ImageVerifier.builder().policies(policies)
        .addSource(referrers ? client.referrers() : client.cosignSignatures()).build();
    return verifier.verifyImage(Policies.NAMESPACE, image.original(), soon());
  }

  // ---- cosign -------------------------------------------------------------------------------

  @Test
  void cosign_signedImage_givesThePayloadBlobAndDecodedSignature() throws Exception {
    sign();
    List<Attestation> found = clientFor(fake).build().cosignSignatures().attestationsFor(image, authority, soon());
    assertThat(found).hasSize(1);
    Attestation a = found.get(0);
    assertThat(new String(a.payload(), StandardCharsets.UTF_8)).contains(digest).contains(repository);
    assertThat(a.publicKeyId()).isEmpty();
    assertThat(a.origin()).isEqualTo(repository + ":" + ImagePusher.signatureTag(digest) + " layer 0");
    assertThat(fake.requests()).extracting(RecordedRequest::path)
        .containsExactly(sigTagPath(), "/v2/team/app/blobs/" + FakeRegistry.sha256(a.payload()));
  }

  @Test
  void cosign_signedImage_isAllowedByTheVerifier() throws Exception {
    sign();
    ImageDecision decision = verifyWith(clientFor(fake).build(), false);
    assertThat(decision.allowed()).as(decision.toString()).isTrue();
  }

  @Test
  void cosign_noSignatureTag_isAnEmptyListNotAnError() throws Exception {
    assertThat(clientFor(fake).build().cosignSignatures().attestationsFor(image, authority, soon())).isEmpty();
  }

  @Test
  void cosign_signatureManifestWithWrongDigestHeader_failsNamingBothDigests() throws Exception {
    sign();
    fake.fault("GET", sigTagPath(), Fault.wrongDigestHeader());
    assertThatThrownBy(() -> clientFor(fake).build().cosignSignatures().attestationsFor(image, authority, soon()))
        .isInstanceOf(AttestationSourceException.class)
        .hasMessageStartingWith("Tried to fetch the manifest " + repository + ":" + ImagePusher.signatureTag(digest))
        .hasMessageMatching("(?s).*claims Docker-Content-Digest sha256:[0-9a-f]{64} but the content it sent hashes to sha256:[0-9a-f]{64}.*");
  }

  @Test
  void cosign_payloadBlobNotMatchingItsDigest_failsNamingBothDigests() throws Exception {
    sign();
    fake.fault("GET", "/v2/team/app/blobs/.*", Fault.corruptBody());
    assertThatThrownBy(() -> clientFor(fake).build().cosignSignatures().attestationsFor(image, authority, soon()))
        .isInstanceOf(AttestationSourceException.class)
        .hasMessageMatching("Tried to fetch the blob .* but failed because the content .* sent hashes to sha256:[0-9a-f]{64}, not the requested sha256:[0-9a-f]{64}");
  }

  @Test
  void cosign_truncatedBlob_fails() throws Exception {
    sign();
    fake.fault("GET", "/v2/team/app/blobs/.*", Fault.truncateBody());
    assertThatThrownBy(() -> clientFor(fake).build().cosignSignatures().attestationsFor(image, authority, soon()))
        .isInstanceOf(AttestationSourceException.class)
        .hasMessageStartingWith("Tried to fetch the blob " + repository + "@sha256:");
  }

  @Test
  void cosign_oversizedManifest_failsNamingTheLimit() throws Exception {
    byte[] huge = new byte[5 * 1024 * 1024];
    java.util.Arrays.fill(huge, (byte) ' ');
    fake.fault("GET", sigTagPath(), Fault.respond(200, ImagePusher.OCI_MANIFEST, huge));
    assertThatThrownBy(() -> clientFor(fake).build().cosignSignatures().attestationsFor(image, authority, soon()))
        .isInstanceOf(AttestationSourceException.class)
        .hasMessageContaining("more than the limit of 4194304 bytes");
  }

  @Test
  void cosign_blobOverTheConfiguredLimit_isRefused() throws Exception {
    sign();
    assertThatThrownBy(() -> clientFor(fake).maxBlobBytes(16).build().cosignSignatures().attestationsFor(image, authority, soon()))
        .isInstanceOf(AttestationSourceException.class)
        .hasMessageContaining("more than the limit of 16");
  }

  @Test
  void cosign_malformedJsonManifest_failsSayingSo() throws Exception {
    fake.fault("GET", sigTagPath(), Fault.respond(200, ImagePusher.OCI_MANIFEST, "{\"layers\": [".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> clientFor(fake).build().cosignSignatures().attestationsFor(image, authority, soon()))
        .isInstanceOf(AttestationSourceException.class)
        .hasMessageContaining("is not well-formed JSON");
  }

  @Test
  void cosign_layerWithBadBase64Signature_isReportedWhenNothingElseIsUsable() throws Exception {
    byte[] payload = ImagePusher.simpleSigningPayload(repository, digest);
    String payloadDigest = pusher.pushBlob("team/app", payload);
    String configDigest = pusher.pushBlob("team/app", "{}".getBytes(StandardCharsets.UTF_8));
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + ImagePusher.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
        + ImagePusher.OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":2},\"layers\":[{\"mediaType\":\""
        + ImagePusher.SIMPLE_SIGNING + "\",\"digest\":\"" + payloadDigest + "\",\"size\":" + payload.length
        + ",\"annotations\":{\"" + ImagePusher.SIGNATURE_ANNOTATION + "\":\"***\"}}]}";
    pusher.pushManifest("team/app", ImagePusher.signatureTag(digest), ImagePusher.OCI_MANIFEST,
        manifest.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> clientFor(fake).build().cosignSignatures().attestationsFor(image, authority, soon()))
        .isInstanceOf(AttestationSourceException.class)
        .hasMessageContaining("layer 0 has a signature annotation that is not base64");
  }

  @Test
  void cosign_blobRedirectToAnotherHost_isFollowedWithoutCredentials() throws Exception {
    sign();
    try (FakeRegistry storage = FakeRegistry.start()) {
      fake.redirectBlobsTo(storage).requireBasic("alice", "pw");
      RegistryClient client = clientFor(fake).credentials(fake.hostPort(), "alice", "pw").build();
      assertThat(client.cosignSignatures().attestationsFor(image, authority, soon())).hasSize(1);
      assertThat(storage.requests()).hasSize(1);
      assertThat(storage.requests().get(0).header("Authorization")).isEmpty();
      assertThat(fake.requests()).filteredOn(r -> r.path().contains("/blobs/"))
          .allSatisfy(r -> assertThat(r.header("Authorization")).isPresent());
    }
  }

  @Test
  void cosign_secondLookup_isServedFromTheCacheButAnEmptyAnswerIsKeptOnlyBriefly() throws Exception {
    RegistryClient client = clientFor(fake).negativeCacheTtl(Duration.ofMillis(200)).build();
    assertThat(client.cosignSignatures().attestationsFor(image, authority, soon())).isEmpty();
    sign();
    assertThat(client.cosignSignatures().attestationsFor(image, authority, soon())).as("negative answer cached").isEmpty();
    Thread.sleep(250);
    assertThat(client.cosignSignatures().attestationsFor(image, authority, soon())).hasSize(1);
    fake.clearRequests();
    assertThat(client.cosignSignatures().attestationsFor(image, authority, soon())).hasSize(1);
    assertThat(fake.requestCount()).isZero();
  }

  @Test
  void cosign_identicalConcurrentLookups_shareOneSetOfRequests() throws Exception {
    sign();
    fake.fault("GET", sigTagPath(), Fault.delay(Duration.ofMillis(300)));
    RegistryClient client = clientFor(fake).build();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(12);
    try {
      List<java.util.concurrent.Future<List<Attestation>>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 12; i++) {
        results.add(pool.submit(() -> client.cosignSignatures().attestationsFor(image, authority, soon())));
      }
      for (java.util.concurrent.Future<List<Attestation>> r : results) {
        assertThat(r.get()).hasSize(1);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(fake.requests()).extracting(RecordedRequest::method).containsExactly("GET", "GET");
  }

  @Test
  void cosign_failure_isNotCached() throws Exception {
    sign();
    fake.fault("GET", sigTagPath(), Fault.status(500), 1);
    RegistryClient client = clientFor(fake).build();
    assertThatThrownBy(() -> client.cosignSignatures().attestationsFor(image, authority, soon()))
        .isInstanceOf(AttestationSourceException.class);
    assertThat(client.cosignSignatures().attestationsFor(image, authority, soon())).hasSize(1);
  }

  @Test
  void verifier_sourceFault_deniesWithTheSourceErrorAsReason() throws Exception {
    sign();
    fake.fault("GET", sigTagPath(), Fault.wrongDigestHeader());
    ImageDecision decision = verifyWith(clientFor(fake).build(), false);
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.message()).isEqualTo("image " + image.original() + " is not attested");
    assertThat(decision.reasons()).anySatisfy(r -> {
      assertThat(r.code()).isEqualTo(Reason.Code.SOURCE_ERROR);
      assertThat(r.message()).contains("claims Docker-Content-Digest");
    });
  }

  @Test
  void verifier_slowRegistry_deniesWithinTheDeadline() throws Exception {
    sign();
    fake.fault(null, ".*", Fault.delay(Duration.ofSeconds(5)));
    ImageVerifier verifier = ImageVerifier.builder().policies(policies)
        .addSource(clientFor(fake).build().cosignSignatures()).build();
    long start = System.nanoTime();
    ImageDecision decision = verifier.verifyImage(Policies.NAMESPACE, image.original(), Instant.now().plusMillis(500));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1200));
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reasons()).anySatisfy(r -> assertThat(r.message()).contains("deadline"));
  }

  // ---- referrers ----------------------------------------------------------------------------

  @Test
  void referrers_api_findsSignaturesOfTheCosignArtifactTypeOnly() throws Exception {
    byte[] payload = ImagePusher.simpleSigningPayload(repository, digest);
    pusher.pushReferrerSignature("team/app", digest, ImagePusher.COSIGN_ARTIFACT_TYPE, payload, key.sign(payload), false);
    pusher.pushReferrerSignature("team/app", digest, "application/spdx+json", payload, key.sign(payload), false);
    fake.clearRequests();
    RegistryClient client = clientFor(fake).build();
    List<Attestation> found = client.referrers().attestationsFor(image, authority, soon());
    assertThat(found).hasSize(1);
    assertThat(fake.requests().get(0).target()).isEqualTo("/v2/team/app/referrers/" + digest
        + "?artifactType=application%2Fvnd.dev.cosign.artifact.sig.v1%2Bjson");
    assertThat(client.referrers("application/spdx+json").attestationsFor(image, authority, soon())).hasSize(1);
    assertThat(verifyWith(client, true).allowed()).isTrue();
  }

  @Test
  void referrers_apiAnswering404_fallsBackToTheTagSchema() throws Exception {
    fake.referrersApi(false);
    byte[] payload = ImagePusher.simpleSigningPayload(repository, digest);
    pusher.pushReferrerSignature("team/app", digest, ImagePusher.COSIGN_ARTIFACT_TYPE, payload, key.sign(payload), true);
    fake.clearRequests();
    assertThat(clientFor(fake).build().referrers().attestationsFor(image, authority, soon())).hasSize(1);
    assertThat(fake.requests()).extracting(RecordedRequest::path).contains(
        "/v2/team/app/referrers/" + digest, "/v2/team/app/manifests/" + digest.replace(':', '-'));
  }

  @Test
  void referrers_neitherApiNorTag_isAnEmptyList() throws Exception {
    fake.referrersApi(false);
    assertThat(clientFor(fake).build().referrers().attestationsFor(image, authority, soon())).isEmpty();
  }

  @Test
  void referrers_referrerManifestNotMatchingItsDigest_fails() throws Exception {
    byte[] payload = ImagePusher.simpleSigningPayload(repository, digest);
    String referrer = pusher.pushReferrerSignature("team/app", digest, ImagePusher.COSIGN_ARTIFACT_TYPE, payload,
        key.sign(payload), false);
    fake.fault("GET", "/v2/team/app/manifests/" + referrer, Fault.corruptBody().withHeader("Docker-Content-Digest", referrer));
    assertThatThrownBy(() -> clientFor(fake).build().referrers().attestationsFor(image, authority, soon()))
        .isInstanceOf(AttestationSourceException.class)
        .hasMessageContaining("not the requested " + referrer);
  }

  // ---- Grafeas ------------------------------------------------------------------------------

  private String occurrence(String resource, byte[] payload, byte[] signature) {
    return "{\"name\":\"projects/kritis/occurrences/1\",\"resourceUri\":\"https://" + resource + "\",\"noteName\":\""
        + Policies.NOTE + "\",\"kind\":\"ATTESTATION\",\"attestation\":{\"serializedPayload\":\""
        + Base64.getEncoder().encodeToString(payload) + "\",\"signatures\":[{\"signature\":\""
        + Base64.getEncoder().encodeToString(signature) + "\"}]}}";
  }

  @Test
  void grafeas_pagesAreFollowedAndOnlyOccurrencesAboutTheImageKept() throws Exception {
    byte[] payload = ImagePusher.simpleSigningPayload(repository, digest);
    String mine = occurrence(repository + "@" + digest, payload, key.sign(payload));
    String other = occurrence(repository + "@sha256:" + "0".repeat(64), payload, key.sign(payload));
    String base = "/v1/" + Policies.NOTE + "/occurrences\\?filter=resourceUrl%3D%22https%3A%2F%2F.*";
    fake.fault("GET", base + "&pageToken=p2", Fault.respond(200, "application/json",
        ("{\"occurrences\":[" + mine + "]}").getBytes(StandardCharsets.UTF_8)));
    fake.fault("GET", base, Fault.respond(200, "application/json",
        ("{\"occurrences\":[" + other + "],\"nextPageToken\":\"p2\"}").getBytes(StandardCharsets.UTF_8)));
    GrafeasAttestationSource grafeas = clientFor(fake).build().grafeas(fake.baseUri(), Optional.of("grafeas-token"));
    List<Attestation> found = grafeas.attestationsFor(image, authority, soon());
    assertThat(found).hasSize(1);
    assertThat(fake.requests()).hasSize(2);
    RecordedRequest first = fake.requests().get(0);
    assertThat(first.target()).isEqualTo("/v1/" + Policies.NOTE + "/occurrences?filter="
        + java.net.URLEncoder.encode("resourceUrl=\"https://" + repository + "@" + digest + "\"", StandardCharsets.UTF_8));
    assertThat(first.header("Authorization")).contains("Bearer grafeas-token");
    ImageDecision decision = ImageVerifier.builder().policies(policies).addSource(grafeas).build()
        .verifyImage(Policies.NAMESPACE, image.original(), soon());
    assertThat(decision.allowed()).as(decision.toString()).isTrue();
  }

  @Test
  void grafeas_authorityWithoutNote_isAnEmptyListWithoutARequest() throws Exception {
    AttestationAuthority noNote = AttestationAuthority.create("prod", "x", null, authority.keys());
    assertThat(clientFor(fake).build().grafeas(fake.baseUri(), Optional.empty()).attestationsFor(image, noNote, soon()))
        .isEmpty();
    assertThat(fake.requestCount()).isZero();
  }

  @Test
  void grafeas_malformedOccurrence_failsNamingTheField() {
    fake.fault("GET", "/v1/.*", Fault.respond(200, "application/json",
        "{\"occurrences\":[{\"kind\":\"ATTESTATION\",\"resourceUri\":\"x\"}]}".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(() -> clientFor(fake).build().grafeas(fake.baseUri(), Optional.empty())
        .attestationsFor(image, authority, soon()))
        .isInstanceOf(AttestationSourceException.class)
        .hasMessageStartingWith("Tried to list the occurrences of note " + Policies.NOTE)
        .hasMessageContaining("\"attestation\" is missing");
  }

  @Test
  void grafeas_serverError_fails() {
    fake.fault("GET", "/v1/.*", Fault.status(403));
    assertThatThrownBy(() -> clientFor(fake).build().grafeas(fake.baseUri(), Optional.empty())
        .attestationsFor(image, authority, soon()))
        .isInstanceOf(AttestationSourceException.class).hasMessageContaining("HTTP 403");
  }

  @Test
  void grafeas_noteThatCannotBeInAUrl_failsWithACheckedException() {
    AttestationAuthority odd = AttestationAuthority.create("prod", "x", "projects/p/notes/has space", authority.keys());
    assertThatThrownBy(() -> clientFor(fake).build().grafeas(fake.baseUri(), Optional.empty())
        .attestationsFor(image, odd, soon()))
        .isInstanceOf(AttestationSourceException.class).hasMessageContaining("cannot be part of a URL");
  }
}
