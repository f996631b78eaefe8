package dev.kritis.core.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.policy.PolicySet;
import dev.kritis.core.policy.PolicyException;
import dev.kritis.testkit.Attestations;
import dev.kritis.testkit.Manifests;
import dev.kritis.testkit.TestKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever happens to a valid attestation on the way, the image is not admitted. */
class ImageVerifierPropertyTest {
  private static final TestKey KEY = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
  private static final String DIGEST = Attestations.digest(21);
  private static final String IMAGE = "gcr.io/team/app@" + DIGEST;
  private static final byte[] PAYLOAD = Attestations.payload("gcr.io/team/app", DIGEST);
  private static final byte[] SIGNATURE = KEY.sign(PAYLOAD);
  private static final PolicySet POLICIES = policies();

  private static PolicySet policies() {
    try {
      return PolicySet.builder().addManifest(Manifests.documents(
          Manifests.seedAuthority("default", "a", null, KEY, "k"),
          Manifests.policy("default", "g", List.of("a"), List.of())), "p").build();
    } catch (PolicyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean admitted(byte[] payload, byte[] signature) {
    Attestation attestation = Attestation.builder().payload(payload).signature(signature).publicKeyId("k").origin("mem").build();
    return ImageVerifier.builder().policies(POLICIES).addSource(TestSources.fixed(attestation)).build()
        .verify("default", List.of(IMAGE), Duration.ofSeconds(5)).allowed();
  }

  @Example
  void theUnmodifiedAttestation_isAdmitted() {
    assertThat(admitted(PAYLOAD, SIGNATURE)).isTrue();
  }

  @Property(tries = 400)
  void everySingleBitFlipOfThePayload_isDenied(@ForAll("payloadBits") int bit) {
    byte[] payload = PAYLOAD.clone();
    payload[bit / 8] ^= (byte) (1 << (bit % 8));
    assertThat(admitted(payload, SIGNATURE)).isFalse();
  }

  @Property(tries = 400)
  void everySingleBitFlipOfTheSignature_isDenied(@ForAll("signatureBits") int bit) {
    byte[] signature = SIGNATURE.clone();
    signature[bit / 8] ^= (byte) (1 << (bit % 8));
    assertThat(admitted(PAYLOAD, signature)).isFalse();
  }

  @Property(tries = 200)
  void everyTruncation_isDenied(@ForAll("payloadCut") int payloadCut, @ForAll("signatureCut") int signatureCut) {
    assertThat(admitted(Arrays.copyOf(PAYLOAD, payloadCut), SIGNATURE)).isFalse();
    assertThat(admitted(PAYLOAD, Arrays.copyOf(SIGNATURE, signatureCut))).isFalse();
  }

  @Property(tries = 200)
  void everyExtension_isDenied(@ForAll byte extra) {
    byte[] payload = Arrays.copyOf(PAYLOAD, PAYLOAD.length + 1);
    payload[PAYLOAD.length] = extra;
    byte[] signature = Arrays.copyOf(SIGNATURE, SIGNATURE.length + 1);
    signature[SIGNATURE.length] = extra;
    assertThat(admitted(payload, SIGNATURE)).isFalse();
    assertThat(admitted(PAYLOAD, signature)).isFalse();
  }

  @Provide
  Arbitrary<Integer> payloadBits() {
    return Arbitraries.integers().between(0, PAYLOAD.length * 8 - 1);
  }

  @Provide
  Arbitrary<Integer> signatureBits() {
    return Arbitraries.integers().between(0, SIGNATURE.length * 8 - 1);
  }

  @Provide
  Arbitrary<Integer> payloadCut() {
    return Arbitraries.integers().between(0, PAYLOAD.length - 1);
  }

  @Provide
  Arbitrary<Integer> signatureCut() {
    return Arbitraries.integers().between(0, SIGNATURE.length - 1);
  }
}
