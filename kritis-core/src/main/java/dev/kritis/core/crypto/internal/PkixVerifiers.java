package dev.kritis.core.crypto.internal;

import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.signature.EcdsaParameters;
import com.google.crypto.tink.signature.EcdsaPublicKey;
import com.google.crypto.tink.signature.Ed25519PublicKey;
import com.google.crypto.tink.signature.RsaSsaPkcs1Parameters;
import com.google.crypto.tink.signature.RsaSsaPkcs1PublicKey;
import com.google.crypto.tink.signature.RsaSsaPssParameters;
import com.google.crypto.tink.signature.RsaSsaPssPublicKey;
import com.google.crypto.tink.signature.internal.EcdsaVerifyJce;
import com.google.crypto.tink.signature.internal.RsaSsaPkcs1VerifyConscrypt;
import com.google.crypto.tink.signature.internal.RsaSsaPssVerifyConscrypt;
import com.google.crypto.tink.subtle.Ed25519Verify;
import com.google.crypto.tink.subtle.RsaSsaPkcs1VerifyJce;
import com.google.crypto.tink.subtle.RsaSsaPssVerifyJce;
import com.google.crypto.tink.util.Bytes;
import dev.kritis.core.crypto.KeyFormatException;
import dev.kritis.core.crypto.SignatureAlgorithm;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.X509EncodedKeySpec;
import java.util.Optional;

/**
 * Builds Tink verifiers for one key and one {@link SignatureAlgorithm}.
 *
 * <p>Provider choice: when {@link FastProvider#conscrypt()} is present, the verifiers come from
 * Tink's {@code createWithProvider(key, provider)} factories ({@code
 * signature.internal.EcdsaVerifyJce}, {@code RsaSsaPkcs1VerifyConscrypt}, {@code
 * RsaSsaPssVerifyConscrypt}), which take the provider object explicitly. Tink's public factories
 * ({@code subtle.*.create}) only find Conscrypt when it is registered in {@code
 * java.security.Security}, which a library must not do. Those {@code internal} classes are not
 * Tink's stable API: the Tink version is pinned in the root pom, and the Wycheproof tests run
 * against both paths, so an upgrade that changes them fails the build rather than a cluster.
 * Without Conscrypt the public {@code subtle.*.create} factories are used (JDK providers, or
 * Tink's pure-Java RSA PKCS#1 and Ed25519). Conscrypt 2.5 has no Ed25519, so Ed25519 always uses
 * Tink's pure-Java implementation.
 */
public final class PkixVerifiers {
  private PkixVerifiers() {}

  /** Label of the fallback path (JDK providers via Tink, or Tink's own pure-Java code). */
  public static final String FALLBACK_PROVIDER = "JDK (via Tink)";

  private static final String ED25519_PROVIDER = "Tink pure Java";

  /**
   * Builds the verifier for {@code algorithm}. The caller has checked that the key type fits the
   * algorithm; for RSA, {@code requireExactModulus} also demands the algorithm's modulus size.
   */
  public static PkixVerifier create(
      SubjectPublicKeyInfo key, SignatureAlgorithm algorithm, Optional<Provider> fast)
      throws KeyFormatException {
    try {
      if (algorithm.isRsaPkcs1()) {
        return rsaPkcs1(rsaKey(key), algorithm, fast);
      } else if (algorithm.isRsaPss()) {
        return RsaPss.create(rsaKey(key), algorithm, fast);
      } else if (algorithm.isEcdsa()) {
        return ecdsa(key, algorithm, fast);
      } else {
        return ed25519(key);
      }
    } catch (GeneralSecurityException e) {
      throw new KeyFormatException(
          "Tried to build a " + algorithm + " verifier but the key was refused: " + e.getMessage(), e);
    }
  }

  /** Decodes an RSA key with the JDK (the DER was already checked for trailing data). */
  public static RSAPublicKey rsaKey(SubjectPublicKeyInfo key) throws KeyFormatException {
    try {
      return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(key.der()));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new KeyFormatException("Expected a valid RSA SubjectPublicKeyInfo but the JDK cannot decode it: " + e.getMessage(), e);
    }
  }

  private static PkixVerifier rsaPkcs1(RSAPublicKey rsa, SignatureAlgorithm algorithm, Optional<Provider> fast)
      throws GeneralSecurityException {
    RsaSsaPkcs1Parameters parameters = RsaSsaPkcs1Parameters.builder()
        .setModulusSizeBits(rsa.getModulus().bitLength())
        .setPublicExponent(rsa.getPublicExponent())
        .setHashType(algorithm.hashName().equals("SHA-512")
            ? RsaSsaPkcs1Parameters.HashType.SHA512 : RsaSsaPkcs1Parameters.HashType.SHA256)
        .setVariant(RsaSsaPkcs1Parameters.Variant.NO_PREFIX)
        .build();
    RsaSsaPkcs1PublicKey tinkKey = RsaSsaPkcs1PublicKey.builder()
        .setParameters(parameters).setModulus(rsa.getModulus()).build();
    if (fast.isPresent()) {
      return new TinkVerifier(RsaSsaPkcs1VerifyConscrypt.createWithProvider(tinkKey, fast.get()), fast.get().getName());
    }
    return new TinkVerifier(RsaSsaPkcs1VerifyJce.create(tinkKey), FALLBACK_PROVIDER);
  }

  private static PkixVerifier ecdsa(SubjectPublicKeyInfo key, SignatureAlgorithm algorithm, Optional<Provider> fast)
      throws GeneralSecurityException, KeyFormatException {
    ECPoint point;
    try {
      point = ((ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(key.der()))).getW();
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new KeyFormatException("Expected a valid EC SubjectPublicKeyInfo but the JDK cannot decode it: " + e.getMessage(), e);
    }
    EcdsaParameters.CurveType curve;
    EcdsaParameters.HashType hash;
    switch (key.curve()) {
      case P256:
        curve = EcdsaParameters.CurveType.NIST_P256;
        hash = EcdsaParameters.HashType.SHA256;
        break;
      case P384:
        curve = EcdsaParameters.CurveType.NIST_P384;
        hash = EcdsaParameters.HashType.SHA384;
        break;
      default:
        curve = EcdsaParameters.CurveType.NIST_P521;
        hash = EcdsaParameters.HashType.SHA512;
        break;
    }
    PublicKeyVerify der = ecdsaVerifier(curve, hash, EcdsaParameters.SignatureEncoding.DER, point, fast);
    PublicKeyVerify p1363 = ecdsaVerifier(curve, hash, EcdsaParameters.SignatureEncoding.IEEE_P1363, point, fast);
    return new Ecdsa(der, p1363, key.curve().fieldSizeBytes(),
        fast.map(Provider::getName).orElse(FALLBACK_PROVIDER));
  }

  private static PublicKeyVerify ecdsaVerifier(EcdsaParameters.CurveType curve, EcdsaParameters.HashType hash,
      EcdsaParameters.SignatureEncoding encoding, ECPoint point, Optional<Provider> fast)
      throws GeneralSecurityException {
    EcdsaParameters parameters = EcdsaParameters.builder()
        .setCurveType(curve).setHashType(hash).setSignatureEncoding(encoding)
        .setVariant(EcdsaParameters.Variant.NO_PREFIX).build();
    // The builder checks that the point lies on the curve.
    EcdsaPublicKey tinkKey = EcdsaPublicKey.builder().setParameters(parameters).setPublicPoint(point).build();
    if (fast.isPresent()) {
      return EcdsaVerifyJce.createWithProvider(tinkKey, fast.get());
    }
    return com.google.crypto.tink.subtle.EcdsaVerifyJce.create(tinkKey);
  }

  private static PkixVerifier ed25519(SubjectPublicKeyInfo key) throws GeneralSecurityException {
    // Ed25519PublicKey.create checks the length (32 bytes).
    Ed25519PublicKey tinkKey = Ed25519PublicKey.create(Bytes.copyFrom(key.subjectPublicKey()));
    return new TinkVerifier(Ed25519Verify.create(tinkKey), ED25519_PROVIDER);
  }

  /** A Tink verifier as is. */
  private static final class TinkVerifier implements PkixVerifier {
    private final PublicKeyVerify verify;
    private final String providerName;

    TinkVerifier(PublicKeyVerify verify, String providerName) {
      this.verify = verify;
      this.providerName = providerName;
    }

    @Override
    public void verify(byte[] signature, byte[] data) throws GeneralSecurityException {
      verify.verify(signature, data);
    }

    @Override
    public String providerName() {
      return providerName;
    }
  }

  /**
   * ECDSA over DER or IEEE P1363 signatures. A P1363 signature is exactly twice the field size;
   * anything else is treated as DER, which Tink parses strictly (no BER, no padding, no trailing
   * bytes). A DER signature that happens to have the P1363 length (possible when r or s is short)
   * is tried as DER too: both encodings carry the same (r, s), so this accepts nothing a signer
   * did not sign.
   */
  private static final class Ecdsa implements PkixVerifier {
    private final PublicKeyVerify der;
    private final PublicKeyVerify p1363;
    private final int p1363Length;
    private final String providerName;

    Ecdsa(PublicKeyVerify der, PublicKeyVerify p1363, int fieldSizeBytes, String providerName) {
      this.der = der;
      this.p1363 = p1363;
      this.p1363Length = 2 * fieldSizeBytes;
      this.providerName = providerName;
    }

    @Override
    public void verify(byte[] signature, byte[] data) throws GeneralSecurityException {
      if (signature.length != p1363Length) {
        der.verify(signature, data);
        return;
      }
      try {
        p1363.verify(signature, data);
      } catch (GeneralSecurityException e) {
        if (signature[0] != 0x30) {
          throw e;
        }
        der.verify(signature, data);
      }
    }

    @Override
    public String providerName() {
      return providerName;
    }
  }

  /**
   * RSA-PSS with MGF1 over the signature hash and whatever salt length the signer used (see
   * {@link RsaPssSaltLength}). Verifiers for the two common salt lengths (hLen: KMS, openssl;
   * maximum: Go) are built with the key; any other length gets a verifier built for that call.
   */
  private static final class RsaPss implements PkixVerifier {
    private final BigInteger modulus;
    private final BigInteger publicExponent;
    private final String hashName;
    private final RsaSsaPssParameters.HashType hashType;
    private final Optional<Provider> fast;
    private final int hashLength;
    private final int maxSaltLength;
    private final PublicKeyVerify withHashLengthSalt;
    private final PublicKeyVerify withMaxSalt;

    private RsaPss(RSAPublicKey rsa, SignatureAlgorithm algorithm, Optional<Provider> fast)
        throws GeneralSecurityException {
      this.modulus = rsa.getModulus();
      this.publicExponent = rsa.getPublicExponent();
      this.hashName = algorithm.hashName();
      boolean sha512 = hashName.equals("SHA-512");
      this.hashType = sha512 ? RsaSsaPssParameters.HashType.SHA512 : RsaSsaPssParameters.HashType.SHA256;
      this.hashLength = sha512 ? 64 : 32;
      this.fast = fast;
      int emLen = (modulus.bitLength() - 1 + 7) / 8;
      this.maxSaltLength = emLen - hashLength - 2;
      this.withHashLengthSalt = build(hashLength);
      this.withMaxSalt = build(maxSaltLength);
    }

    static PkixVerifier create(RSAPublicKey rsa, SignatureAlgorithm algorithm, Optional<Provider> fast)
        throws GeneralSecurityException {
      return new RsaPss(rsa, algorithm, fast);
    }

    private PublicKeyVerify build(int saltLength) throws GeneralSecurityException {
      RsaSsaPssParameters parameters = RsaSsaPssParameters.builder()
          .setModulusSizeBits(modulus.bitLength())
          .setPublicExponent(publicExponent)
          .setSigHashType(hashType)
          .setMgf1HashType(hashType)
          .setSaltLengthBytes(saltLength)
          .setVariant(RsaSsaPssParameters.Variant.NO_PREFIX)
          .build();
      RsaSsaPssPublicKey key = RsaSsaPssPublicKey.builder().setParameters(parameters).setModulus(modulus).build();
      if (fast.isPresent()) {
        return RsaSsaPssVerifyConscrypt.createWithProvider(key, fast.get());
      }
      return RsaSsaPssVerifyJce.create(key);
    }

    @Override
    public void verify(byte[] signature, byte[] data) throws GeneralSecurityException {
      int saltLength = RsaPssSaltLength.recover(modulus, publicExponent, hashName, signature);
      PublicKeyVerify verifier = saltLength == hashLength ? withHashLengthSalt
          : saltLength == maxSaltLength ? withMaxSalt
          : build(saltLength);
      verifier.verify(signature, data);
    }

    @Override
    public String providerName() {
      return fast.map(Provider::getName).orElse(FALLBACK_PROVIDER);
    }
  }
}
