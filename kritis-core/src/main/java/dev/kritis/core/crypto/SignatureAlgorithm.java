package dev.kritis.core.crypto;

import java.util.Locale;
import java.util.Optional;

/**
 * The PKIX signature algorithms an attestation may use, named as Binary Authorization names them.
 * {@link #fromName} also accepts kritis's lower-case spelling ({@code ecdsa-p256-sha256}).
 */
public enum SignatureAlgorithm {
  RSA_SIGN_PKCS1_2048_SHA256,
  RSA_SIGN_PKCS1_3072_SHA256,
  RSA_SIGN_PKCS1_4096_SHA256,
  RSA_SIGN_PKCS1_4096_SHA512,
  RSA_PSS_2048_SHA256,
  RSA_PSS_3072_SHA256,
  RSA_PSS_4096_SHA256,
  RSA_PSS_4096_SHA512,
  ECDSA_P256_SHA256,
  ECDSA_P384_SHA384,
  ECDSA_P521_SHA512,
  ED25519;

  /**
   * Looks up an algorithm by either spelling: {@code ECDSA_P256_SHA256} or {@code ecdsa-p256-sha256}
   * (case-insensitive, '-' and '_' alike). Returns empty for names it does not know.
   */
  public static Optional<SignatureAlgorithm> fromName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String canonical = name.trim().replace('-', '_').toUpperCase(Locale.ROOT);
    // kritis spells the RSA ones "rsa-sign-pkcs1-2048-sha256" / "rsa-pss-2048-sha256", which
    // canonicalize to the enum names already.
    for (SignatureAlgorithm algorithm : values()) {
      if (algorithm.name().equals(canonical)) {
        return Optional.of(algorithm);
      }
    }
    return Optional.empty();
  }

  public boolean isRsaPkcs1() {
    return name().startsWith("RSA_SIGN_PKCS1");
  }

  public boolean isRsaPss() {
    return name().startsWith("RSA_PSS");
  }

  public boolean isEcdsa() {
    return name().startsWith("ECDSA");
  }

  /** RSA modulus size in bits the algorithm requires, or 0 for EC and Ed25519. */
  public int rsaModulusBits() {
    if (!isRsaPkcs1() && !isRsaPss()) {
      return 0;
    }
    String[] parts = name().split("_");
    return Integer.parseInt(parts[parts.length - 2]);
  }

  /** The hash, {@code SHA-256}/{@code SHA-384}/{@code SHA-512}, or empty for Ed25519. */
  public String hashName() {
    if (this == ED25519) {
      return "";
    }
    String suffix = name().substring(name().lastIndexOf('_') + 1);
    return "SHA-" + suffix.substring(3);
  }
}
