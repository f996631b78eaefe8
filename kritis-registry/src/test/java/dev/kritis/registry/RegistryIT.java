package dev.kritis.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kritis.core.policy.PolicySet;
import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.DigestResolver.DigestResolutionException;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.verify.Decision;
import dev.kritis.core.verify.ImageDecision;
import dev.kritis.core.verify.ImageVerifier;
import dev.kritis.core.verify.Reason;
import dev.kritis.testkit.TestKey;
import dev.kritis.testkit.registry.DockerRegistryServer;
import dev.kritis.testkit.registry.ImagePusher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the real registry (Debian's docker-registry 2.8) in TLS + htpasswd mode: tags resolve
 * to what the registry reports, and cosign-format signatures pushed here verify (or are denied)
 * through core's ImageVerifier. Fails, never skips, when docker-registry is not installed.
 */
class RegistryIT {
  private static final String USER = "kritis";
  private static final String PASSWORD = "it-s3cret:with-colon";

  private static DockerRegistryServer registry;
  private static ImagePusher pusher;
  private static TestKey key;
  private static TestKey otherKey;
  private static PolicySet policies;

  @TempDir
  static Path temp;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = DockerRegistryServer.startTls(USER, PASSWORD);
    pusher = registry.pusher();
    key = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
    otherKey = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
    policies = Policies.requiring(key);
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  private static RegistryClient client() throws Exception {
    Path config = temp.resolve("config.json");
    String auth = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    Files.writeString(config, "{\"auths\":{\"https://" + registry.hostPort() + "/v1/\":{\"auth\":\"" + auth + "\"}}}");
    return RegistryClient.builder().caBundle(registry.caBundle()).dockerConfig(config).build();
  }

  private static ImageVerifier verifier(RegistryClient client, boolean referrersOnly) {
    ImageVerifier.Builder builder = ImageVerifier.builder().policies(policies).digestResolver(client.digestResolver());
    if (referrersOnly) {
      builder.addSource(client.referrers());
    } else {
      builder.addSource(client.cosignSignatures());
    }
    return builder.build();
  }

  private static Instant soon() {
    return Instant.now().plusSeconds(20);
  }

  @Test
  void resolve_tag_givesTheDigestTheRegistryReports() throws Exception {
    String digest = pusher.pushImage("team/app", "v1", "resolve", true);
    Digest resolved = client().resolve(ImageReference.parse(registry.hostPort() + "/team/app:v1"), soon());
    assertThat(resolved.toString()).isEqualTo(pusher.headDigest("team/app", "v1")).isEqualTo(digest);
  }

  @Test
  void resolve_dockerSchema2Tag_givesItsDigest() throws Exception {
    String digest = pusher.pushImage("team/docker-app", "v1", "docker", false);
    assertThat(client().resolve(ImageReference.parse(registry.hostPort() + "/team/docker-app:v1"), soon()).toString())
        .isEqualTo(digest);
  }

  @Test
  void resolve_multiArchTag_givesTheIndexDigest() throws Exception {
    String amd64 = pusher.pushImage("team/multi", "amd64", "amd64", true);
    String arm64 = pusher.pushImage("team/multi", "arm64", "arm64", true);
    String index = pusher.pushIndex("team/multi", "v1", List.of(amd64, arm64));
    assertThat(client().resolve(ImageReference.parse(registry.hostPort() + "/team/multi:v1"), soon()).toString())
        .isEqualTo(index).isNotEqualTo(amd64);
  }

  @Test
  void resolve_unknownTag_failsNamingTheTag() throws Exception {
    pusher.pushImage("team/app", "v1", "resolve", true);
    assertThatThrownBy(() -> client().resolve(ImageReference.parse(registry.hostPort() + "/team/app:nope"), soon()))
        .isInstanceOf(DigestResolutionException.class)
        .hasMessageContaining("team/app:nope").hasMessageContaining("404");
  }

  @Test
  void resolve_wrongPassword_failsSayingCredentialsWereRefused() throws Exception {
    pusher.pushImage("team/app", "v1", "resolve", true);
    RegistryClient wrong = RegistryClient.builder().caBundle(registry.caBundle())
        .credentials(registry.hostPort(), USER, "wrong").build();
    assertThatThrownBy(() -> wrong.resolve(ImageReference.parse(registry.hostPort() + "/team/app:v1"), soon()))
        .isInstanceOf(DigestResolutionException.class)
        .hasMessageContaining("refused credentials of user kritis").hasMessageContaining("401");
  }

  @Test
  void verify_cosignSignedImageByTag_isAllowed() throws Exception {
    String repository = registry.hostPort() + "/team/signed";
    String digest = pusher.pushImage("team/signed", "v1", "signed", true);
    pusher.pushCosignSignature("team/signed", digest, repository, key);
    Decision decision = verifier(client(), false).verify(Policies.NAMESPACE, List.of(repository + ":v1"), Duration.ofSeconds(20));
    assertThat(decision.allowed()).as(decision.toString()).isTrue();
    assertThat(decision.images().get(0).digest()).contains(Digest.parse(digest));
  }

  @Test
  void verify_cosignSignedMultiArchIndex_isAllowedForTheIndexDigest() throws Exception {
    String repository = registry.hostPort() + "/team/multi-signed";
    String amd64 = pusher.pushImage("team/multi-signed", "amd64", "m-amd64", true);
    String arm64 = pusher.pushImage("team/multi-signed", "arm64", "m-arm64", true);
    String index = pusher.pushIndex("team/multi-signed", "v1", List.of(amd64, arm64));
    pusher.pushCosignSignature("team/multi-signed", index, repository, key);
    Decision decision = verifier(client(), false).verify(Policies.NAMESPACE, List.of(repository + ":v1"), Duration.ofSeconds(20));
    assertThat(decision.allowed()).as(decision.toString()).isTrue();
    Decision platformOnly = verifier(client(), false)
        .verify(Policies.NAMESPACE, List.of(repository + "@" + amd64), Duration.ofSeconds(20));
    assertThat(platformOnly.allowed()).as("a signature of the index does not sign a platform manifest").isFalse();
  }

  @Test
  void verify_unsignedImage_isDenied() throws Exception {
    String repository = registry.hostPort() + "/team/unsigned";
    pusher.pushImage("team/unsigned", "v1", "unsigned", true);
    ImageDecision decision = verifier(client(), false).verifyImage(Policies.NAMESPACE, repository + ":v1", soon());
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.message()).isEqualTo("image " + repository + ":v1 is not attested");
    assertThat(decision.reasons()).extracting(Reason::code).contains(Reason.Code.NO_ATTESTATIONS);
  }

  @Test
  void verify_signatureByAnotherKey_isDenied() throws Exception {
    String repository = registry.hostPort() + "/team/other-key";
    String digest = pusher.pushImage("team/other-key", "v1", "other-key", true);
    pusher.pushCosignSignature("team/other-key", digest, repository, otherKey);
    ImageDecision decision = verifier(client(), false).verifyImage(Policies.NAMESPACE, repository + ":v1", soon());
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reasons()).extracting(Reason::code).contains(Reason.Code.SIGNATURE_INVALID);
  }

  @Test
  void verify_signatureForAnotherDigest_isDenied() throws Exception {
    String repository = registry.hostPort() + "/team/moved";
    String signed = pusher.pushImage("team/moved", "old", "moved-old", true);
    String current = pusher.pushImage("team/moved", "v1", "moved-new", true);
    // A valid signature of the old digest, stored where the current digest's signatures belong.
    byte[] payload = ImagePusher.simpleSigningPayload(repository, signed);
    pusher.pushCosignSignature("team/moved", ImagePusher.signatureTag(current), payload, key.sign(payload));
    ImageDecision decision = verifier(client(), false).verifyImage(Policies.NAMESPACE, repository + ":v1", soon());
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reasons()).extracting(Reason::code).contains(Reason.Code.DIGEST_MISMATCH);
  }

  @Test
  void verify_referrersOnRegistryWithoutReferrersApi_usesTheTagSchemaFallback() throws Exception {
    String repository = registry.hostPort() + "/team/referred";
    String digest = pusher.pushImage("team/referred", "v1", "referred", true);
    byte[] payload = ImagePusher.simpleSigningPayload(repository, digest);
    pusher.pushReferrerSignature("team/referred", digest, ImagePusher.COSIGN_ARTIFACT_TYPE, payload, key.sign(payload), true);
    RegistryClient client = client();
    Decision decision = verifier(client, true).verify(Policies.NAMESPACE, List.of(repository + ":v1"), Duration.ofSeconds(20));
    assertThat(decision.allowed()).as(decision.toString()).isTrue();
  }

  @Test
  void verify_referrerOfAnotherArtifactType_isNotUsed() throws Exception {
    String repository = registry.hostPort() + "/team/sbom-only";
    String digest = pusher.pushImage("team/sbom-only", "v1", "sbom-only", true);
    byte[] payload = ImagePusher.simpleSigningPayload(repository, digest);
    pusher.pushReferrerSignature("team/sbom-only", digest, "application/spdx+json", payload, key.sign(payload), true);
    ImageDecision decision = verifier(client(), true).verifyImage(Policies.NAMESPACE, repository + ":v1", soon());
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reasons()).extracting(Reason::code).contains(Reason.Code.NO_ATTESTATIONS);
  }

  @Test
  void plainHttpRegistry_namedInsecure_resolvesAndVerifies() throws Exception {
    try (DockerRegistryServer plain = DockerRegistryServer.startPlain()) {
      ImagePusher plainPusher = plain.pusher();
      String repository = plain.hostPort() + "/team/plain";
      String digest = plainPusher.pushImage("team/plain", "v1", "plain", false);
      plainPusher.pushCosignSignature("team/plain", digest, repository, key);
      RegistryClient client = RegistryClient.builder().insecureRegistry(plain.hostPort()).build();
      assertThat(client.resolve(ImageReference.parse(repository + ":v1"), soon()).toString()).isEqualTo(digest);
      Decision decision = verifier(client, false).verify(Policies.NAMESPACE, List.of(repository + ":v1"), Duration.ofSeconds(20));
      assertThat(decision.allowed()).as(decision.toString()).isTrue();
    }
  }
}
