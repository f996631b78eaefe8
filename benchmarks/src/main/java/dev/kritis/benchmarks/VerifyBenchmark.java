package dev.kritis.benchmarks;

import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.attestation.AttestationSource;
import dev.kritis.core.attestation.InvalidAttestationException;
import dev.kritis.core.attestation.SimpleSigningPayload;
import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.policy.PolicySet;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.reference.InvalidReferenceException;
import dev.kritis.core.verify.ImageVerifier;
import dev.kritis.testkit.Manifests;
import java.time.Instant;
import java.util.List;
import dev.kritis.core.crypto.SignatureAlgorithm;
import dev.kritis.core.crypto.VerificationKey;
import dev.kritis.testkit.TestKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Signature verification cost per algorithm:
 *
 * <ul>
 *   <li>{@code kritisVerify}: {@link VerificationKey#verify} (Tink; Conscrypt when it loads).
 *   <li>{@code jcaVerify}: the same signature with the JDK's default providers, as a naive caller
 *       would write it ({@code Signature.getInstance} per call).
 *   <li>{@code fullAttestationCheck}: what the verifier does per attestation: verify the signature,
 *       parse the payload strictly ({@link SimpleSigningPayload}), compare the digest, the type and
 *       the normalized repository.
 *   <li>{@code imageVerifierDecision}: a whole {@link ImageVerifier} decision for one image by
 *       digest in a namespace with one policy and one authority, attestations from memory.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class VerifyBenchmark {

  static final String DIGEST = "sha256:b3f3eccfd27c9864312af3796067e7db28007a1566e1e042c5862eed3ff1b2c8";

  /** A ~250-byte simple-signing payload, as cosign / kritis sign it. */
  static final byte[] PAYLOAD = ("{\"critical\":{\"identity\":{\"docker-reference\":\"gcr.io/kritis-project/kritis-server\"},"
      + "\"image\":{\"docker-manifest-digest\":\"" + DIGEST + "\"},\"type\":\"atomic container signature\"},"
      + "\"optional\":null}").getBytes(StandardCharsets.UTF_8);

  @Param({"ECDSA_P256_SHA256", "ECDSA_P384_SHA384", "RSA_SIGN_PKCS1_2048_SHA256", "RSA_PSS_2048_SHA256", "ED25519"})
  public String algorithm;

  private VerificationKey key;
  private TestKey testKey;
  private byte[] signature;
  private String jcaName;
  private PSSParameterSpec pss;
  private ImageReference image;
  private ImageVerifier verifier;
  private Instant farFuture;

  @Setup
  public void setUp() throws Exception {
    TestKey.Algorithm testAlgorithm = TestKey.Algorithm.valueOf(algorithm);
    testKey = TestKey.generate(testAlgorithm);
    signature = testKey.sign(PAYLOAD);
    key = VerificationKey.fromPem("bench", testKey.publicKeyPem(), Optional.of(SignatureAlgorithm.valueOf(algorithm)));
    key.verify(signature, PAYLOAD);
    System.out.println("# " + key);
    switch (testAlgorithm) {
      case ECDSA_P256_SHA256:
        jcaName = "SHA256withECDSA";
        break;
      case ECDSA_P384_SHA384:
        jcaName = "SHA384withECDSA";
        break;
      case RSA_SIGN_PKCS1_2048_SHA256:
        jcaName = "SHA256withRSA";
        break;
      case RSA_PSS_2048_SHA256:
        jcaName = "RSASSA-PSS";
        pss = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
        break;
      default:
        jcaName = "Ed25519";
    }
    if (!jcaVerify()) {
      throw new IllegalStateException("JCA baseline does not verify " + algorithm);
    }
    image = ImageReference.parse("gcr.io/kritis-project/kritis-server@" + DIGEST);
    Attestation attestation = Attestation.builder().payload(PAYLOAD).signature(signature).publicKeyId("bench")
        .origin("memory").build();
    AttestationSource memory = new AttestationSource() {
      @Override
      public List<Attestation> attestationsFor(ImageReference ref, AttestationAuthority authority, Instant deadline) {
        return List.of(attestation);
      }

      @Override
      public String describe() {
        return "memory";
      }
    };
    PolicySet policies = PolicySet.builder().addManifest(Manifests.documents(
        Manifests.pkixAuthority("default", "bench", null, testKey, "bench"),
        Manifests.policy("default", "gap", List.of("bench"), List.of())), "bench").build();
    verifier = ImageVerifier.builder().policies(policies).addSource(memory).build();
    farFuture = Instant.now().plusSeconds(86_400);
    if (!fullAttestationCheck() || !imageVerifierDecision()) {
      throw new IllegalStateException("the attestation does not check out for " + algorithm);
    }
  }

  @Benchmark
  public byte[] kritisVerify() throws GeneralSecurityException {
    return key.verify(signature, PAYLOAD);
  }

  @Benchmark
  public boolean jcaVerify() throws GeneralSecurityException {
    Signature verifier = Signature.getInstance(jcaName);
    if (pss != null) {
      verifier.setParameter(pss);
    }
    verifier.initVerify(testKey.publicKey());
    verifier.update(PAYLOAD);
    return verifier.verify(signature);
  }

  @Benchmark
  public boolean fullAttestationCheck() throws GeneralSecurityException, InvalidAttestationException,
      InvalidReferenceException {
    SimpleSigningPayload payload = SimpleSigningPayload.parse(key.verify(signature, PAYLOAD));
    return SimpleSigningPayload.ACCEPTED_TYPES.contains(payload.type())
        && image.digest().orElseThrow().toString().equals(payload.dockerManifestDigest())
        && ImageReference.parse(payload.dockerReference()).repository().equals(image.repository());
  }

  @Benchmark
  public boolean imageVerifierDecision() {
    return verifier.verifyImage("default", image.original(), farFuture).allowed();
  }
}
