package dev.kritis.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kritis.testkit.TestKey;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Every single-bit flip, truncation and one-byte extension of a valid signature, and of the payload,
 * is rejected, for every algorithm (keys cached in {@link TestKeys}).
 */
class SignatureMutationPropertiesTest {

  @Provide
  Arbitrary<TestKey.Algorithm> algorithms() {
    return Arbitraries.of(TestKey.Algorithm.class);
  }

  @Property(tries = 400)
  void verify_signatureWithOneBitFlipped_isRejected(@ForAll("algorithms") TestKey.Algorithm algorithm,
      @ForAll @IntRange(min = 0, max = 1 << 20) int position) {
    byte[] signature = TestKeys.signature(algorithm);
    int bit = position % (signature.length * 8);
    signature[bit / 8] ^= (byte) (1 << (bit % 8));
    assertRejected(algorithm, signature, TestKeys.PAYLOAD);
  }

  @Property(tries = 200)
  void verify_truncatedSignature_isRejected(@ForAll("algorithms") TestKey.Algorithm algorithm,
      @ForAll @IntRange(min = 0, max = 1 << 20) int cut) {
    byte[] signature = TestKeys.signature(algorithm);
    assertRejected(algorithm, Arrays.copyOf(signature, cut % signature.length), TestKeys.PAYLOAD);
  }

  @Property(tries = 200)
  void verify_signatureWithOneExtraByte_isRejected(@ForAll("algorithms") TestKey.Algorithm algorithm,
      @ForAll byte extra, @ForAll boolean atFront) {
    byte[] signature = TestKeys.signature(algorithm);
    byte[] extended = new byte[signature.length + 1];
    System.arraycopy(signature, 0, extended, atFront ? 1 : 0, signature.length);
    extended[atFront ? 0 : signature.length] = extra;
    assertRejected(algorithm, extended, TestKeys.PAYLOAD);
  }

  @Property(tries = 300)
  void verify_payloadWithOneBitFlipped_isRejected(@ForAll("algorithms") TestKey.Algorithm algorithm,
      @ForAll @IntRange(min = 0, max = 1 << 20) int position) {
    byte[] payload = TestKeys.PAYLOAD.clone();
    int bit = position % (payload.length * 8);
    payload[bit / 8] ^= (byte) (1 << (bit % 8));
    assertRejected(algorithm, TestKeys.signature(algorithm), payload);
  }

  @Property(tries = 200)
  void verify_truncatedOrExtendedPayload_isRejected(@ForAll("algorithms") TestKey.Algorithm algorithm,
      @ForAll @IntRange(min = 0, max = 1 << 20) int cut, @ForAll boolean extend, @ForAll byte extra) {
    byte[] payload;
    if (extend) {
      payload = Arrays.copyOf(TestKeys.PAYLOAD, TestKeys.PAYLOAD.length + 1);
      payload[payload.length - 1] = extra;
    } else {
      payload = Arrays.copyOf(TestKeys.PAYLOAD, cut % TestKeys.PAYLOAD.length);
    }
    assertRejected(algorithm, TestKeys.signature(algorithm), payload);
  }

  @Property(tries = 24)
  void verify_unmodifiedSignature_isAccepted(@ForAll("algorithms") TestKey.Algorithm algorithm) throws Exception {
    assertThat(TestKeys.verifier(algorithm).verify(TestKeys.signature(algorithm), TestKeys.PAYLOAD))
        .isEqualTo(TestKeys.PAYLOAD);
  }

  private static void assertRejected(TestKey.Algorithm algorithm, byte[] signature, byte[] payload) {
    assertThatThrownBy(() -> TestKeys.verifier(algorithm).verify(signature, payload))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage("signature does not verify under key test-" + algorithm);
  }
}
