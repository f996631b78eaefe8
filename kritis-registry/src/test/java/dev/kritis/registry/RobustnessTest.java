package dev.kritis.registry;

import static dev.kritis.registry.TagResolutionTest.clientFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kritis.core.attestation.AttestationSourceException;
import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.reference.DigestResolver.DigestResolutionException;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.testkit.TestKey;
import dev.kritis.testkit.registry.FakeRegistry;
import dev.kritis.testkit.registry.Fault;
import dev.kritis.testkit.registry.ImagePusher;
import dev.kritis.testkit.registry.SelfSignedCertificate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hostile or broken input from a registry ends in a checked exception, never anything else. */
class RobustnessTest {

  @Test
  void mutatedSignatureManifests_neverEscapeAsUncheckedExceptions() throws Exception {
    TestKey key = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
    AttestationAuthority authority = Policies.requiring(key).authority(Policies.NAMESPACE, "signer").orElseThrow();
    try (FakeRegistry fake = FakeRegistry.start()) {
      ImagePusher pusher = ImagePusher.to(fake.baseUri(), null);
      String repository = fake.hostPort() + "/team/app";
      String digest = pusher.pushImage("team/app", "v1", "fuzz", true);
      pusher.pushCosignSignature("team/app", digest, repository, key);
      byte[] manifest = pusher.fetchManifest("team/app", ImagePusher.signatureTag(digest));
      ImageReference image = ImageReference.parse(repository + "@" + digest);
      RegistryClient client = clientFor(fake).signatureCacheTtl(java.time.Duration.ZERO)
          .negativeCacheTtl(java.time.Duration.ZERO).build();
      Random random = new Random(20261203L);
      String path = "/v2/team/app/manifests/" + ImagePusher.signatureTag(digest);
      int ok = 0;
      int failed = 0;
      for (int i = 0; i < 300; i++) {
        byte[] mutated = manifest.clone();
        switch (i % 3) {
          case 0:
            mutated[random.nextInt(mutated.length)] ^= (byte) (1 << random.nextInt(8));
            break;
          case 1:
            mutated = java.util.Arrays.copyOf(mutated, random.nextInt(mutated.length));
            break;
          default:
            mutated[random.nextInt(mutated.length)] = (byte) "{}[]\",:0\\".charAt(random.nextInt(9));
            break;
        }
        fake.clearFaults();
        fake.fault("GET", path, Fault.respond(200, ImagePusher.OCI_MANIFEST, mutated));
        try {
          client.cosignSignatures().attestationsFor(image, authority, Instant.now().plusSeconds(5));
          ok++;
        } catch (AttestationSourceException e) {
          assertThat(e.getMessage()).startsWith("Tried to ");
          failed++;
        }
      }
      assertThat(ok + failed).isEqualTo(300);
      assertThat(failed).isPositive();
    }
  }

  @Test
  void arbitraryWwwAuthenticateHeaders_neverThrow() {
    Random random = new Random(7);
    String alphabet = "Bearer Basic realm=\"\\,; =service scope:/\t";
    for (int i = 0; i < 5_000; i++) {
      StringBuilder header = new StringBuilder();
      int length = random.nextInt(60);
      for (int j = 0; j < length; j++) {
        header.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      WwwAuthenticate.parse(header.toString());
    }
  }

  @Test
  void redirectWithinTheRegistry_keepsTheCredentials() throws Exception {
    try (FakeRegistry fake = FakeRegistry.start()) {
      String digest = ImagePusher.to(fake.baseUri(), null).pushImage("team/app", "v1", "redirect", true);
      fake.requireBasic("alice", "pw");
      fake.fault("HEAD", "/v2/team/app/manifests/v1", Fault.status(307).withHeader("Location", "/v2/team/app/manifests/" + digest), 2);
      assertThat(clientFor(fake).credentials(fake.hostPort(), "alice", "pw").build()
          .resolve(ImageReference.parse(fake.hostPort() + "/team/app:v1"), Instant.now().plusSeconds(5)).toString())
          .isEqualTo(digest);
      // anonymous first (401 teaches Basic), then with credentials, which the redirect keeps
      assertThat(fake.requests()).filteredOn(r -> r.path().equals("/v2/team/app/manifests/" + digest))
          .last().satisfies(r -> assertThat(r.header("Authorization")).isPresent());
    }
  }

  @Test
  void redirectFromHttpsToPlainHttp_isRefused() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.generate();
    try (FakeRegistry tls = FakeRegistry.startTls(certificate); FakeRegistry plain = FakeRegistry.start()) {
      ImagePusher.to(tls.baseUri(), certificate.clientContext()).pushImage("team/app", "v1", "downgrade", true);
      tls.fault("HEAD", ".*", Fault.status(302).withHeader("Location", plain.baseUri() + "/v2/team/app/manifests/v1"));
      assertThatThrownBy(() -> RegistryClient.builder().caBundle(certificate.certificatePem()).build()
          .resolve(ImageReference.parse(tls.hostPort() + "/team/app:v1"), Instant.now().plusSeconds(5)))
          .isInstanceOf(DigestResolutionException.class)
          .hasMessageContaining("redirected from https to plain http");
      assertThat(plain.requestCount()).isZero();
    }
  }

  @Test
  void redirectLoop_failsAfterAFewHops() throws Exception {
    try (FakeRegistry fake = FakeRegistry.start()) {
      fake.fault("HEAD", ".*", Fault.status(302).withHeader("Location", "/v2/team/app/manifests/v1"));
      assertThatThrownBy(() -> clientFor(fake).build()
          .resolve(ImageReference.parse(fake.hostPort() + "/team/app:v1"), Instant.now().plusSeconds(5)))
          .isInstanceOf(DigestResolutionException.class).hasMessageContaining("redirected more than 5 times");
    }
  }

  @Test
  void errorBodyWithControlCharacters_isPrintedSafely() throws Exception {
    try (FakeRegistry fake = FakeRegistry.start()) {
      ImagePusher.to(fake.baseUri(), null).pushImage("team/app", "v1", "ctl", true);
      fake.fault("GET", ".*", Fault.error(500, "UNKNOWN", "line\\nbreak\\u001b[31m"));
      fake.fault("HEAD", ".*", Fault.noDigestHeader());
      assertThatThrownBy(() -> clientFor(fake).build()
          .resolve(ImageReference.parse(fake.hostPort() + "/team/app:v1"), Instant.now().plusSeconds(5)))
          .isInstanceOf(DigestResolutionException.class)
          .hasMessageContaining("UNKNOWN: line\\u000abreak\\u001b[31m")
          .satisfies(e -> assertThat(e.getMessage().getBytes(StandardCharsets.UTF_8)).doesNotContain((byte) 0x1b, (byte) '\n'));
    }
  }
}
