package dev.kritis.core.crypto;

import dev.kritis.testkit.TestKey;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** One cached key, verifier and signature per algorithm: RSA key generation is slow. */
final class TestKeys {
  private TestKeys() {}

  static final byte[] PAYLOAD = ("{\"critical\":{\"identity\":{\"docker-reference\":\"gcr.io/example/app\"},"
      + "\"image\":{\"docker-manifest-digest\":\"sha256:b3f3eccfd27c9864312af3796067e7db28007a1566e1e042c5862eed3ff1b2c8\"},"
      + "\"type\":\"atomic container signature\"},\"optional\":null}").getBytes(StandardCharsets.UTF_8);

  private static final Map<TestKey.Algorithm, TestKey> KEYS = new EnumMap<>(TestKey.Algorithm.class);
  private static final Map<TestKey.Algorithm, VerificationKey> VERIFIERS = new EnumMap<>(TestKey.Algorithm.class);
  private static final Map<TestKey.Algorithm, byte[]> SIGNATURES = new EnumMap<>(TestKey.Algorithm.class);

  static synchronized TestKey key(TestKey.Algorithm algorithm) {
    return KEYS.computeIfAbsent(algorithm, TestKey::generate);
  }

  static synchronized VerificationKey verifier(TestKey.Algorithm algorithm) {
    return VERIFIERS.computeIfAbsent(algorithm, a -> {
      try {
        return VerificationKey.fromPem("test-" + a, key(a).publicKeyPem(), Optional.of(ours(a)));
      } catch (KeyFormatException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  static synchronized byte[] signature(TestKey.Algorithm algorithm) {
    return SIGNATURES.computeIfAbsent(algorithm, a -> key(a).sign(PAYLOAD)).clone();
  }

  static SignatureAlgorithm ours(TestKey.Algorithm algorithm) {
    return SignatureAlgorithm.valueOf(algorithm.name());
  }
}
