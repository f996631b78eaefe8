package dev.kritis.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kritis.core.crypto.SignatureAlgorithm;
import dev.kritis.core.crypto.VerificationKey;
import dev.kritis.testkit.TestKey;
import java.io.IOException;
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
 *   <li>{@code fullAttestationCheck}: parse the simple-signing JSON with Jackson, verify, compare the
 *       manifest digest. The JSON handling is a tiny local stand-in: the real payload parser is
 *       being written elsewhere and should replace it here when it lands.
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
  private final ObjectMapper mapper = new ObjectMapper();

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
  public boolean fullAttestationCheck() throws GeneralSecurityException, IOException {
    byte[] vouched = key.verify(signature, PAYLOAD);
    JsonNode root = mapper.readTree(vouched);
    JsonNode critical = root.path("critical");
    if (!"atomic container signature".equals(critical.path("type").asText())) {
      return false;
    }
    return DIGEST.equals(critical.path("image").path("docker-manifest-digest").asText());
  }
}
