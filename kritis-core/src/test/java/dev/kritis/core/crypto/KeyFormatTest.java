package dev.kritis.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kritis.core.crypto.internal.FastProvider;
import dev.kritis.testkit.TestKey;
import java.security.Security;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Bad keys are refused when loaded, with a message that says what was expected and what was found. */
class KeyFormatTest {

  private static String pem(TestKey.Algorithm algorithm) {
    return TestKeys.key(algorithm).publicKeyPem();
  }

  @Test
  void fromPem_garbage_namesTheMissingBeginLine() {
    assertThatThrownBy(() -> VerificationKey.fromPem("k", "malformed key", Optional.empty()))
        .isInstanceOf(KeyFormatException.class).hasMessageContaining("-----BEGIN PUBLIC KEY-----");
  }

  @Test
  void fromPem_wrongLabel_namesTheLabelFound() {
    String rsaPublicKey = pem(TestKey.Algorithm.RSA_SIGN_PKCS1_2048_SHA256).replace("PUBLIC KEY", "RSA PUBLIC KEY");
    assertThatThrownBy(() -> VerificationKey.fromPem("k", rsaPublicKey, Optional.empty()))
        .isInstanceOf(KeyFormatException.class)
        .hasMessageContaining("\"PUBLIC KEY\"").hasMessageContaining("\"RSA PUBLIC KEY\"");
  }

  @Test
  void fromPem_textAfterTheEndLine_isRefused() {
    assertThatThrownBy(() -> VerificationKey.fromPem("k", pem(TestKey.Algorithm.ED25519) + "with some extra stuff\n",
            Optional.empty()))
        .isInstanceOf(KeyFormatException.class).hasMessageContaining("Expected nothing after");
  }

  @Test
  void fromPem_secondPemBlock_isRefused() {
    String two = pem(TestKey.Algorithm.ED25519) + pem(TestKey.Algorithm.ECDSA_P256_SHA256);
    assertThatThrownBy(() -> VerificationKey.fromPem("k", two, Optional.empty()))
        .isInstanceOf(KeyFormatException.class).hasMessageContaining("second PEM block");
  }

  @Test
  void fromPem_badBase64_isRefused() {
    String bad = pem(TestKey.Algorithm.ED25519).replaceFirst("\n(.)", "\n*");
    assertThatThrownBy(() -> VerificationKey.fromPem("k", bad, Optional.empty()))
        .isInstanceOf(KeyFormatException.class).hasMessageContaining("base64");
  }

  @Test
  void fromPem_truncatedDer_isRefused() {
    byte[] der = TestKeys.key(TestKey.Algorithm.ECDSA_P256_SHA256).publicKey().getEncoded();
    byte[] truncated = java.util.Arrays.copyOf(der, der.length - 5);
    assertThatThrownBy(() -> VerificationKey.fromPem("k", TestKey.Pem.encode("PUBLIC KEY", truncated), Optional.empty()))
        .isInstanceOf(KeyFormatException.class).hasMessageContaining("truncated");
  }

  @Test
  void fromPem_derWithTrailingBytes_isRefused() {
    byte[] der = TestKeys.key(TestKey.Algorithm.ECDSA_P256_SHA256).publicKey().getEncoded();
    byte[] longer = java.util.Arrays.copyOf(der, der.length + 2);
    assertThatThrownBy(() -> VerificationKey.fromPem("k", TestKey.Pem.encode("PUBLIC KEY", longer), Optional.empty()))
        .isInstanceOf(KeyFormatException.class).hasMessageContaining("2 bytes of trailing data");
  }

  @Test
  void fromPem_rsaKeyOfOtherSize_namesExpectedAndActualSize() {
    assertThatThrownBy(() -> VerificationKey.fromPem("k", pem(TestKey.Algorithm.RSA_SIGN_PKCS1_3072_SHA256),
            Optional.of(SignatureAlgorithm.RSA_SIGN_PKCS1_2048_SHA256)))
        .isInstanceOf(KeyFormatException.class)
        .hasMessage("Expected a 2048-bit RSA modulus for RSA_SIGN_PKCS1_2048_SHA256 but the key's modulus is 3072 bits");
  }

  @Test
  void fromPem_ecKeyOnOtherCurve_namesExpectedAndActualCurve() {
    assertThatThrownBy(() -> VerificationKey.fromPem("k", pem(TestKey.Algorithm.ECDSA_P384_SHA384),
            Optional.of(SignatureAlgorithm.ECDSA_P256_SHA256)))
        .isInstanceOf(KeyFormatException.class)
        .hasMessage("Expected an EC key on P-256 for ECDSA_P256_SHA256 but the key is on P-384");
  }

  @Test
  void fromPem_keyOfOtherType_namesExpectedAndActualType() {
    assertThatThrownBy(() -> VerificationKey.fromPem("k", pem(TestKey.Algorithm.ECDSA_P256_SHA256),
            Optional.of(SignatureAlgorithm.RSA_PSS_2048_SHA256)))
        .isInstanceOf(KeyFormatException.class)
        .hasMessageContaining("Expected a rsaEncryption").hasMessageContaining("id-ecPublicKey").hasMessageContaining("P-256");
  }

  @Test
  void fromPem_unsupportedCurve_namesTheCurveOid() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
    // secp256k1 is not in JDK 17's SunEC; build its SPKI by swapping the curve OID of a P-256 key.
    generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    byte[] der = generator.generateKeyPair().getPublic().getEncoded();
    String hex = java.util.HexFormat.of().formatHex(der).replace("06082a8648ce3d030107", "06052b8104000a");
    byte[] k1 = java.util.HexFormat.of().parseHex(hex.replaceFirst("^3059301306", "3056301006"));
    assertThatThrownBy(() -> VerificationKey.fromPem("k", TestKey.Pem.encode("PUBLIC KEY", k1), Optional.empty()))
        .isInstanceOf(KeyFormatException.class).hasMessageContaining("1.3.132.0.10");
  }

  @Test
  void toString_namesIdAlgorithmAndProvider_butNoKeyMaterial() throws Exception {
    String pem = pem(TestKey.Algorithm.ECDSA_P256_SHA256);
    VerificationKey key = VerificationKey.fromPem("projects/p/keys/k", pem, Optional.empty());
    String body = pem.split("\n")[1];
    assertThat(key.toString())
        .contains("projects/p/keys/k", "ECDSA_P256_SHA256", "provider=")
        .doesNotContain(body.substring(0, 16));
  }

  @Test
  void fromPem_withConscryptLoadable_verifiesWithConscrypt_withoutRegisteringIt() throws Exception {
    String os = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    if (os.equals("Linux/amd64")) {
      // CI and production platform: Conscrypt ships a native library for it and must load.
      assertThat(FastProvider.conscrypt()).isPresent();
    }
    VerificationKey key = VerificationKey.fromPem("k", pem(TestKey.Algorithm.ECDSA_P256_SHA256), Optional.empty());
    if (FastProvider.conscrypt().isPresent()) {
      assertThat(key.providerName()).isEqualTo("Conscrypt");
      assertThat(key.toString()).contains("provider=Conscrypt");
    }
    assertThat(Security.getProvider("Conscrypt")).as("no global JCA registration").isNull();
    assertThat(java.util.Locale.getDefault().getLanguage()).as("default locale restored after loading Conscrypt")
        .isEqualTo(System.getProperty("user.language"));
  }

  @Test
  void fromPem_withoutConscrypt_fallsBackToTheJdk() throws Exception {
    TestKey testKey = TestKeys.key(TestKey.Algorithm.ECDSA_P256_SHA256);
    VerificationKey key = VerificationKey.fromPem("k", testKey.publicKeyPem(), Optional.empty(), Optional.empty());
    assertThat(key.providerName()).isEqualTo("JDK (via Tink)");
    assertThat(key.verify(testKey.sign(TestKeys.PAYLOAD), TestKeys.PAYLOAD)).isEqualTo(TestKeys.PAYLOAD);
  }

  @Test
  void fromPem_pemWithCrLfAndIndentation_isAccepted() throws Exception {
    String pem = "  \r\n" + pem(TestKey.Algorithm.ED25519).replace("\n", "\r\n") + "\r\n";
    assertThat(VerificationKey.fromPem("k", pem, Optional.empty()).algorithms()).containsExactly(SignatureAlgorithm.ED25519);
    assertThat(Base64.getDecoder()).isNotNull();
  }
}
