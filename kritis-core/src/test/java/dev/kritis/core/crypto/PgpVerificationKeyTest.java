package dev.kritis.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.junit.jupiter.api.Test;

/** conformance/kritis-pgp: an (expired) key and an attached signed message from kritis's test data. */
class PgpVerificationKeyTest {
  private static final String KEY = new String(SharedConformance.bytes("kritis-pgp/public-key.asc"), StandardCharsets.US_ASCII);
  private static final byte[] MESSAGE = SharedConformance.bytes("kritis-pgp/signature.asc");
  private static final byte[] PAYLOAD = SharedConformance.bytes("kritis-pgp/payload.json");

  @Test
  void fromPgpArmored_keyId_isThePrimaryFingerprint() throws Exception {
    VerificationKey key = VerificationKey.fromPgpArmored(KEY);
    assertThat(key.keyId()).isEqualTo("D283A5F5F5F5ECAA9EF185C5AE8B6994116315A3");
    assertThat(key.toString()).contains("D283A5F5F5F5ECAA9EF185C5AE8B6994116315A3").doesNotContain("mQ");
  }

  @Test
  void verify_kritisSignedMessage_returnsItsLiteralData() throws Exception {
    VerificationKey key = VerificationKey.fromPgpArmored(KEY);
    assertThat(key.verify(MESSAGE, new byte[0])).isEqualTo(PAYLOAD);
    assertThat(key.verify(MESSAGE, PAYLOAD)).isEqualTo(PAYLOAD);
  }

  @Test
  void verify_otherExpectedPayload_isRejected() throws Exception {
    VerificationKey key = VerificationKey.fromPgpArmored(KEY);
    assertThatThrownBy(() -> key.verify(MESSAGE, "{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage("signature does not verify under key D283A5F5F5F5ECAA9EF185C5AE8B6994116315A3");
  }

  @Test
  void verify_messageWithReplacedLiteralData_isRejected() throws Exception {
    byte[] tampered = PAYLOAD.clone();
    tampered[tampered.length - 10] ^= 1; // one bit of the image digest
    VerificationKey key = VerificationKey.fromPgpArmored(KEY);
    assertThatThrownBy(() -> key.verify(replaceLiteralData(MESSAGE, tampered), new byte[0]))
        .isInstanceOf(GeneralSecurityException.class);
    // the rebuilt message with the original data still verifies: the tamper, not the rebuild, fails it
    assertThat(key.verify(replaceLiteralData(MESSAGE, PAYLOAD), new byte[0])).isEqualTo(PAYLOAD);
  }

  @Test
  void verify_truncatedMessage_isRejected() throws Exception {
    VerificationKey key = VerificationKey.fromPgpArmored(KEY);
    byte[] binary = PGPUtil.getDecoderStream(new ByteArrayInputStream(MESSAGE)).readAllBytes();
    // Cuts into the packets and into the signature. (Cutting only the very last byte of this
    // message, raw-deflate compressed with indeterminate length, still verifies: the inflater has
    // by then produced every byte of the signed data and the signature, and the cryptographic check
    // is on those. Not a weakness, but not asserted here; see the report.)
    for (int cut : new int[] {0, 1, binary.length / 2, binary.length - 40}) {
      byte[] truncated = java.util.Arrays.copyOf(binary, cut);
      assertThatThrownBy(() -> key.verify(truncated, new byte[0])).isInstanceOf(GeneralSecurityException.class);
    }
  }

  @Test
  void fromPgpArmored_garbage_isRefused() {
    assertThatThrownBy(() -> VerificationKey.fromPgpArmored("not a key"))
        .isInstanceOf(KeyFormatException.class).hasMessageContaining("OpenPGP");
  }

  /** Rebuilds the signed message (uncompressed, armored) with other literal data and the same signature. */
  private static byte[] replaceLiteralData(byte[] message, byte[] data) throws Exception {
    BcPGPObjectFactory factory = new BcPGPObjectFactory(PGPUtil.getDecoderStream(new ByteArrayInputStream(message)));
    Object first = factory.nextObject();
    if (first instanceof PGPCompressedData) {
      factory = new BcPGPObjectFactory(((PGPCompressedData) first).getDataStream());
      first = factory.nextObject();
    }
    PGPOnePassSignatureList onePass = (PGPOnePassSignatureList) first;
    PGPLiteralData literal = (PGPLiteralData) factory.nextObject();
    literal.getDataStream().readAllBytes();
    PGPSignatureList signatures = (PGPSignatureList) factory.nextObject();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ArmoredOutputStream armored = new ArmoredOutputStream(out)) {
      onePass.get(0).encode(armored);
      try (OutputStream literalOut = new PGPLiteralDataGenerator().open(armored, (char) literal.getFormat(),
          literal.getFileName(), data.length, new Date(literal.getModificationTime().getTime()))) {
        literalOut.write(data);
      }
      signatures.get(0).encode(armored);
    }
    return out.toByteArray();
  }
}
