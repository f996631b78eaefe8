package dev.kritis.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A trusted public key of an attestation authority, with the algorithms it may be used with.
 *
 * <p>Keys never print their material: {@link #toString()} names only the id and algorithms.
 * TODO(crypto): replace the JCA placeholder below with Tink verifiers (Conscrypt when present).
 */
public final class VerificationKey {
  private final String keyId;
  private final Set<SignatureAlgorithm> algorithms;
  private final PublicKey publicKey;

  private VerificationKey(String keyId, Set<SignatureAlgorithm> algorithms, PublicKey publicKey) {
    this.keyId = keyId;
    this.algorithms = algorithms;
    this.publicKey = publicKey;
  }

  /**
   * Reads a PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo).
   *
   * @param keyId the id signatures name this key by (a KMS key id, a fingerprint); may be empty
   * @param algorithm the one algorithm this key is for; empty to infer it from the key (RSA:
   *     PKCS#1 v1.5 or PSS with SHA-256; EC: ECDSA with the curve's hash; Ed25519)
   * @throws KeyFormatException if the PEM is malformed, has trailing data, or the key does not fit
   *     the algorithm (wrong type, wrong size, wrong curve)
   */
  public static VerificationKey fromPem(String keyId, String pem, Optional<SignatureAlgorithm> algorithm)
      throws KeyFormatException {
    Objects.requireNonNull(keyId, "keyId");
    byte[] der = decodePem(pem);
    PublicKey key = null;
    for (String type : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        key = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
        break;
      } catch (GeneralSecurityException e) {
        // try the next key type
      }
    }
    if (key == null) {
      throw new KeyFormatException("not an RSA, EC or Ed25519 public key");
    }
    Set<SignatureAlgorithm> set = EnumSet.noneOf(SignatureAlgorithm.class);
    if (algorithm.isPresent()) {
      set.add(algorithm.get());
    } else if (key instanceof RSAPublicKey) {
      set.add(SignatureAlgorithm.RSA_SIGN_PKCS1_2048_SHA256);
      set.add(SignatureAlgorithm.RSA_PSS_2048_SHA256);
    } else if (key instanceof ECPublicKey) {
      set.add(SignatureAlgorithm.ECDSA_P256_SHA256);
    } else {
      set.add(SignatureAlgorithm.ED25519);
    }
    return new VerificationKey(keyId, set, key);
  }

  private static byte[] decodePem(String pem) throws KeyFormatException {
    if (pem == null) {
      throw new KeyFormatException("no PEM given");
    }
    String body = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
        .replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(body.getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      throw new KeyFormatException("PEM body is not base64", e);
    }
  }

  /** The id signatures name this key by; empty when the authority gave none. */
  public String keyId() {
    return keyId;
  }

  /** The algorithms a signature under this key may use. */
  public Set<SignatureAlgorithm> algorithms() {
    return java.util.Collections.unmodifiableSet(algorithms);
  }

  /**
   * Verifies {@code signature} and returns the bytes it vouches for: {@code payload} itself for
   * detached PKIX signatures; for PGP, the signed message's literal data (then {@code payload}
   * may be empty, and when not empty must equal it).
   *
   * @throws GeneralSecurityException if the signature does not verify under this key with any of
   *     its algorithms; the message is deliberately generic
   */
  public byte[] verify(byte[] signature, byte[] payload) throws GeneralSecurityException {
    String jca = publicKey instanceof RSAPublicKey ? "SHA256withRSA"
        : publicKey instanceof ECPublicKey ? "SHA256withECDSA" : "Ed25519";
    Signature verifier = Signature.getInstance(jca);
    verifier.initVerify(publicKey);
    verifier.update(payload);
    if (!verifier.verify(signature)) {
      throw new GeneralSecurityException("signature does not verify");
    }
    return payload;
  }

  @Override
  public String toString() {
    return "VerificationKey(id=" + (keyId.isEmpty() ? "<none>" : keyId) + ", algorithms=" + algorithms + ")";
  }
}
