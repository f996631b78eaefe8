package dev.kritis.testkit;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Base64;
import java.util.Objects;

/**
 * A freshly generated key pair for one signature algorithm, with a signer built on the JDK's own
 * providers only. Tests sign with this and verify with kritis-core, so a bug shared by signer and
 * verifier cannot hide: the two sides never share code.
 */
public final class TestKey {

  /** The algorithms, named exactly as Binary Authorization / kritis name them. */
  public enum Algorithm {
    RSA_SIGN_PKCS1_2048_SHA256("RSA", 2048, "SHA256withRSA", null),
    RSA_SIGN_PKCS1_3072_SHA256("RSA", 3072, "SHA256withRSA", null),
    RSA_SIGN_PKCS1_4096_SHA256("RSA", 4096, "SHA256withRSA", null),
    RSA_SIGN_PKCS1_4096_SHA512("RSA", 4096, "SHA512withRSA", null),
    RSA_PSS_2048_SHA256("RSA", 2048, "RSASSA-PSS", "SHA-256"),
    RSA_PSS_3072_SHA256("RSA", 3072, "RSASSA-PSS", "SHA-256"),
    RSA_PSS_4096_SHA256("RSA", 4096, "RSASSA-PSS", "SHA-256"),
    RSA_PSS_4096_SHA512("RSA", 4096, "RSASSA-PSS", "SHA-512"),
    ECDSA_P256_SHA256("EC", 256, "SHA256withECDSA", "secp256r1"),
    ECDSA_P384_SHA384("EC", 384, "SHA384withECDSA", "secp384r1"),
    ECDSA_P521_SHA512("EC", 521, "SHA512withECDSA", "secp521r1"),
    ED25519("Ed25519", 255, "Ed25519", null);

    final String keyType;
    final int bits;
    final String jcaSignature;
    /** PSS hash or EC curve name, by algorithm family. */
    final String detail;

    Algorithm(String keyType, int bits, String jcaSignature, String detail) {
      this.keyType = keyType;
      this.bits = bits;
      this.jcaSignature = jcaSignature;
      this.detail = detail;
    }

    public boolean isPss() {
      return jcaSignature.equals("RSASSA-PSS");
    }

    public boolean isRsa() {
      return keyType.equals("RSA");
    }

    public boolean isEcdsa() {
      return keyType.equals("EC");
    }

    /** Digest length in bytes of the algorithm's hash (0 for Ed25519). */
    public int hashLength() {
      if (this == ED25519) {
        return 0;
      }
      String name = name();
      return name.endsWith("SHA512") ? 64 : name.endsWith("SHA384") ? 48 : 32;
    }
  }

  private final Algorithm algorithm;
  private final KeyPair keyPair;

  private TestKey(Algorithm algorithm, KeyPair keyPair) {
    this.algorithm = algorithm;
    this.keyPair = keyPair;
  }

  /** Generates a new key pair. RSA keys are slow to make: tests should reuse them. */
  public static TestKey generate(Algorithm algorithm) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.keyType);
      if (algorithm.isRsa()) {
        generator.initialize(new RSAKeyGenParameterSpec(algorithm.bits, RSAKeyGenParameterSpec.F4));
      } else if (algorithm.isEcdsa()) {
        generator.initialize(new ECGenParameterSpec(algorithm.detail));
      }
      return new TestKey(algorithm, generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate a " + algorithm + " key", e);
    }
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  public PublicKey publicKey() {
    return keyPair.getPublic();
  }

  public PrivateKey privateKey() {
    return keyPair.getPrivate();
  }

  /** The public key as a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) block, as KMS and openssl write it. */
  public String publicKeyPem() {
    return Pem.encode("PUBLIC KEY", keyPair.getPublic().getEncoded());
  }

  /** The private key as a PEM "PRIVATE KEY" (PKCS#8) block, readable by openssl. */
  public String privateKeyPem() {
    return Pem.encode("PRIVATE KEY", keyPair.getPrivate().getEncoded());
  }

  /**
   * Signs {@code data}. ECDSA signatures are ASN.1 DER (as KMS and cosign write them); RSA-PSS
   * uses a salt as long as the digest (as KMS and openssl do).
   */
  public byte[] sign(byte[] data) {
    return algorithm.isPss() ? signPss(data, algorithm.hashLength()) : signWith(algorithm.jcaSignature, null, data);
  }

  /** Signs with RSA-PSS and the given salt length (Go signers use the maximum). */
  public byte[] signPss(byte[] data, int saltLength) {
    if (!algorithm.isPss()) {
      throw new IllegalStateException(algorithm + " is not an RSA-PSS algorithm");
    }
    String hash = algorithm.detail;
    MGF1ParameterSpec mgf = hash.equals("SHA-512") ? MGF1ParameterSpec.SHA512 : MGF1ParameterSpec.SHA256;
    return signWith("RSASSA-PSS", new PSSParameterSpec(hash, "MGF1", mgf, saltLength, 1), data);
  }

  /** The largest salt length RSA-PSS allows for this key: what Go's rsa.SignPSS uses by default. */
  public int maxPssSaltLength() {
    int modulusBytes = (((java.security.interfaces.RSAPublicKey) publicKey()).getModulus().bitLength() + 7) / 8;
    return modulusBytes - algorithm.hashLength() - 2;
  }

  /** Signs ECDSA with the raw IEEE P1363 r||s encoding instead of DER. */
  public byte[] signEcdsaP1363(byte[] data) {
    if (!algorithm.isEcdsa()) {
      throw new IllegalStateException(algorithm + " is not an ECDSA algorithm");
    }
    return signWith(algorithm.jcaSignature.replace("ECDSA", "ECDSAinP1363Format"), null, data);
  }

  private byte[] signWith(String jcaName, java.security.spec.AlgorithmParameterSpec params, byte[] data) {
    try {
      Signature signature = Signature.getInstance(jcaName);
      if (params != null) {
        signature.setParameter(params);
      }
      signature.initSign(keyPair.getPrivate());
      signature.update(data);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot sign with " + algorithm, e);
    }
  }

  /** Base64 of the PEM, as `spec.publicKeyData` of a seed-form AttestationAuthority holds it. */
  public String publicKeyDataBase64() {
    return Base64.getEncoder().encodeToString(publicKeyPem().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  @Override
  public String toString() {
    return "TestKey(" + algorithm + ")";
  }

  /** PEM armour, 64 columns, as openssl writes it. */
  public static final class Pem {
    private Pem() {}

    public static String encode(String label, byte[] der) {
      Objects.requireNonNull(label);
      String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
      return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }
  }

}
