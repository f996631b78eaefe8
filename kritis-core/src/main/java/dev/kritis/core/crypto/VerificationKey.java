package dev.kritis.core.crypto;

import dev.kritis.core.crypto.internal.FastProvider;
import dev.kritis.core.crypto.internal.PgpVerifier;
import dev.kritis.core.crypto.internal.PkixVerifier;
import dev.kritis.core.crypto.internal.PkixVerifiers;
import dev.kritis.core.crypto.internal.SubjectPublicKeyInfo;
import dev.kritis.core.crypto.internal.SubjectPublicKeyInfo.KeyType;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A trusted public key of an attestation authority, with the algorithms it may be used with.
 *
 * <p>Guarantees: a key is fully checked when it is made (PEM and DER shape, key type, RSA modulus
 * size and EC curve against an explicit algorithm) and the verifiers for it are built then, so
 * {@link #verify} does no parsing of the key. {@link #verify} returns only after a signature
 * verified; every failure is the same {@link GeneralSecurityException} message, which names the
 * key id and nothing about why. Instances are immutable and thread-safe. Keys never print their
 * material: {@link #toString()} names only the id, the algorithms and the crypto provider.
 *
 * <p>PKIX verification uses Tink, backed by Conscrypt (BoringSSL) when its native library loads
 * and by the JDK otherwise; Conscrypt is never registered as a global JCA provider.
 */
public final class VerificationKey {
  private final String keyId;
  private final Set<SignatureAlgorithm> algorithms;
  private final List<PkixVerifier> pkixVerifiers;
  private final PgpVerifier pgpVerifier;
  private final String providerName;

  private VerificationKey(String keyId, Set<SignatureAlgorithm> algorithms, List<PkixVerifier> pkixVerifiers,
      PgpVerifier pgpVerifier, String providerName) {
    this.keyId = keyId;
    this.algorithms = Collections.unmodifiableSet(algorithms);
    this.pkixVerifiers = List.copyOf(pkixVerifiers);
    this.pgpVerifier = pgpVerifier;
    this.providerName = providerName;
  }

  /**
   * Reads a PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo).
   *
   * @param keyId the id signatures name this key by (a KMS key id, a fingerprint); may be empty
   * @param algorithm the one algorithm this key is for; empty to infer it from the key (RSA of at
   *     least 2048 bits: PKCS#1 v1.5 or PSS with SHA-256; EC: ECDSA with the curve's hash;
   *     Ed25519)
   * @throws KeyFormatException if the PEM is malformed, has trailing data, or the key does not fit
   *     the algorithm (wrong type, wrong size, wrong curve); the message says what was expected and
   *     what was found
   */
  public static VerificationKey fromPem(String keyId, String pem, Optional<SignatureAlgorithm> algorithm)
      throws KeyFormatException {
    return fromPem(keyId, pem, algorithm, FastProvider.conscrypt());
  }

  /** As {@link #fromPem(String, String, Optional)}, with the fast provider chosen by the caller (tests). */
  static VerificationKey fromPem(String keyId, String pem, Optional<SignatureAlgorithm> algorithm,
      Optional<Provider> fastProvider) throws KeyFormatException {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(algorithm, "algorithm");
    SubjectPublicKeyInfo key = SubjectPublicKeyInfo.fromPem(pem);
    Set<SignatureAlgorithm> set = EnumSet.noneOf(SignatureAlgorithm.class);
    List<PkixVerifier> verifiers = new ArrayList<>();
    if (algorithm.isPresent()) {
      SignatureAlgorithm expected = algorithm.get();
      checkKeyFits(key, expected);
      set.add(expected);
      verifiers.add(PkixVerifiers.create(key, expected, fastProvider));
    } else {
      int rsaBits = key.keyType() == KeyType.RSA ? PkixVerifiers.rsaKey(key).getModulus().bitLength() : 0;
      for (SignatureAlgorithm inferred : inferAlgorithms(key, rsaBits)) {
        verifiers.add(PkixVerifiers.create(key, inferred, fastProvider));
        // Moduli other than 2048/3072/4096 bits verify (as PKCS#1 or PSS with SHA-256) but have no
        // SignatureAlgorithm name, so the set names only what exists.
        if (inferred.rsaModulusBits() == rsaBits) {
          set.add(inferred);
        }
      }
    }
    return new VerificationKey(keyId, set, verifiers, null, verifiers.get(0).providerName());
  }

  /**
   * Reads an ASCII-armored (or binary) OpenPGP public key, as an upstream-form authority's
   * {@code asciiArmoredPgpPublicKey} holds it. The key id is the upper-case hex fingerprint of
   * the primary key. Signatures are PGP attached (signed) messages made by the primary key or by
   * a subkey bound to it; key expiry is not checked, as kritis does not check it.
   *
   * @throws KeyFormatException if the text is not exactly one OpenPGP public key ring
   */
  public static VerificationKey fromPgpArmored(String armoredPublicKey) throws KeyFormatException {
    PgpVerifier pgp = PgpVerifier.fromArmored(armoredPublicKey);
    return new VerificationKey(pgp.fingerprint(), EnumSet.noneOf(SignatureAlgorithm.class), List.of(), pgp,
        PgpVerifier.PROVIDER_NAME);
  }

  private static List<SignatureAlgorithm> inferAlgorithms(SubjectPublicKeyInfo key, int bits)
      throws KeyFormatException {
    switch (key.keyType()) {
      case RSA:
        if (bits < 2048) {
          throw new KeyFormatException("Expected an RSA modulus of at least 2048 bits but the key's modulus is "
              + bits + " bits");
        }
        // Names for the verifier's parameters; for sizes without a name the 2048 ones stand in
        // (only hash and padding matter for the verifier; the modulus comes from the key).
        int named = bits == 3072 || bits == 4096 ? bits : 2048;
        return List.of(SignatureAlgorithm.valueOf("RSA_SIGN_PKCS1_" + named + "_SHA256"),
            SignatureAlgorithm.valueOf("RSA_PSS_" + named + "_SHA256"));
      case EC:
        switch (key.curve()) {
          case P256:
            return List.of(SignatureAlgorithm.ECDSA_P256_SHA256);
          case P384:
            return List.of(SignatureAlgorithm.ECDSA_P384_SHA384);
          default:
            return List.of(SignatureAlgorithm.ECDSA_P521_SHA512);
        }
      default:
        return List.of(SignatureAlgorithm.ED25519);
    }
  }

  private static void checkKeyFits(SubjectPublicKeyInfo key, SignatureAlgorithm algorithm) throws KeyFormatException {
    KeyType expectedType = algorithm.isRsaPkcs1() || algorithm.isRsaPss() ? KeyType.RSA
        : algorithm.isEcdsa() ? KeyType.EC : KeyType.ED25519;
    if (key.keyType() != expectedType) {
      throw new KeyFormatException("Expected a " + expectedType + " key for " + algorithm + " but the key is "
          + key.keyType() + (key.curve() != null ? " on " + key.curve() : ""));
    }
    if (expectedType == KeyType.RSA) {
      int bits = PkixVerifiers.rsaKey(key).getModulus().bitLength();
      if (bits != algorithm.rsaModulusBits()) {
        throw new KeyFormatException("Expected a " + algorithm.rsaModulusBits() + "-bit RSA modulus for "
            + algorithm + " but the key's modulus is " + bits + " bits");
      }
    } else if (expectedType == KeyType.EC) {
      String expectedCurve = "P-" + algorithm.name().substring("ECDSA_P".length(), algorithm.name().indexOf('_', 7));
      if (!key.curve().toString().equals(expectedCurve)) {
        throw new KeyFormatException("Expected an EC key on " + expectedCurve + " for " + algorithm
            + " but the key is on " + key.curve());
      }
    }
  }

  /** The id signatures name this key by; empty when the authority gave none. */
  public String keyId() {
    return keyId;
  }

  /**
   * The algorithms a signature under this key may use. Empty for PGP keys, and for RSA keys read
   * without an explicit algorithm whose modulus is not 2048, 3072 or 4096 bits (they still verify
   * PKCS#1 v1.5 and PSS signatures with SHA-256, which have no {@link SignatureAlgorithm} name).
   */
  public Set<SignatureAlgorithm> algorithms() {
    return algorithms;
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
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(payload, "payload");
    if (pgpVerifier != null) {
      try {
        return pgpVerifier.verify(signature, payload);
      } catch (GeneralSecurityException | RuntimeException e) {
        throw failure();
      }
    }
    for (PkixVerifier verifier : pkixVerifiers) {
      try {
        verifier.verify(signature, payload);
        return payload.clone();
      } catch (GeneralSecurityException | RuntimeException e) {
        // Fail closed on anything, including a provider's unchecked exception on odd input; try
        // the next algorithm, and report all failures alike.
      }
    }
    throw failure();
  }

  private GeneralSecurityException failure() {
    return new GeneralSecurityException("signature does not verify under key " + displayId());
  }

  /** Which provider does the arithmetic: "Conscrypt", the JDK fallback, or the PGP library. */
  String providerName() {
    return providerName;
  }

  private String displayId() {
    return keyId.isEmpty() ? "<none>" : keyId;
  }

  @Override
  public String toString() {
    return "VerificationKey(id=" + displayId() + ", algorithms=" + algorithms + ", provider=" + providerName + ")";
  }
}
