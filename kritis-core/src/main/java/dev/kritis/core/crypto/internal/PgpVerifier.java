package dev.kritis.core.crypto.internal;

import dev.kritis.core.crypto.KeyFormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPOnePassSignature;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.bc.BcPGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Verifies OpenPGP attached signed messages ({@code gpg --sign}, RFC 4880 §11.3) under one public
 * key ring, with BouncyCastle's lightweight API (no JCA provider is registered).
 *
 * <p>Accepted shape, optionally inside one compressed-data packet: exactly one one-pass signature,
 * one literal-data packet, one signature, nothing after. The signature must be a binary or
 * canonical-text document signature with SHA-2 family hash, by the primary key or by a subkey
 * the primary key bound with the "sign data" flag. Key expiry is deliberately not checked
 * (kritis does not check it).
 */
public final class PgpVerifier {
  public static final String PROVIDER_NAME = "BouncyCastle bcpg (lightweight)";

  /** Attestation payloads are a few hundred bytes; this bounds decompression bombs. */
  private static final int MAX_LITERAL_BYTES = 4 * 1024 * 1024;

  private final PGPPublicKeyRing ring;
  private final String fingerprint;

  private PgpVerifier(PGPPublicKeyRing ring) {
    this.ring = ring;
    this.fingerprint = HexFormat.of().withUpperCase().formatHex(ring.getPublicKey().getFingerprint());
  }

  /** Reads exactly one public key ring, armored or binary. */
  public static PgpVerifier fromArmored(String armoredPublicKey) throws KeyFormatException {
    if (armoredPublicKey == null || armoredPublicKey.isBlank()) {
      throw new KeyFormatException("Expected an ASCII-armored OpenPGP public key but got nothing");
    }
    if (armoredPublicKey.contains("PRIVATE KEY BLOCK")) {
      throw new KeyFormatException("Expected an OpenPGP PUBLIC key block but got a PRIVATE key block");
    }
    try (InputStream in = PGPUtil.getDecoderStream(
        new ByteArrayInputStream(armoredPublicKey.getBytes(StandardCharsets.ISO_8859_1)))) {
      BcPGPPublicKeyRingCollection rings = new BcPGPPublicKeyRingCollection(in);
      if (rings.size() != 1) {
        throw new KeyFormatException(
            "Expected exactly one OpenPGP public key ring but found " + rings.size());
      }
      return new PgpVerifier(rings.getKeyRings().next());
    } catch (IOException | PGPException | RuntimeException e) {
      throw new KeyFormatException(
          "Expected an ASCII-armored OpenPGP public key but it cannot be read: " + e.getMessage(), e);
    }
  }

  /** Upper-case hex fingerprint of the primary key. */
  public String fingerprint() {
    return fingerprint;
  }

  /**
   * Verifies the signed message and returns its literal data; when {@code expectedPayload} is not
   * empty, the literal data must equal it.
   */
  public byte[] verify(byte[] signedMessage, byte[] expectedPayload) throws GeneralSecurityException {
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(signedMessage))) {
      BcPGPObjectFactory outer = new BcPGPObjectFactory(in);
      BcPGPObjectFactory factory = outer;
      Object first = factory.nextObject();
      if (first instanceof PGPCompressedData) {
        factory = new BcPGPObjectFactory(((PGPCompressedData) first).getDataStream());
        first = factory.nextObject();
      }
      if (!(first instanceof PGPOnePassSignatureList) || ((PGPOnePassSignatureList) first).size() != 1) {
        throw new GeneralSecurityException("expected one one-pass signature");
      }
      PGPOnePassSignature onePass = ((PGPOnePassSignatureList) first).get(0);
      checkSignatureKind(onePass.getSignatureType(), onePass.getHashAlgorithm());
      PGPPublicKey signer = signingKey(onePass.getKeyID());
      onePass.init(new BcPGPContentVerifierBuilderProvider(), signer);

      Object literal = factory.nextObject();
      if (!(literal instanceof PGPLiteralData)) {
        throw new GeneralSecurityException("expected literal data");
      }
      byte[] data = readBounded(((PGPLiteralData) literal).getDataStream());
      onePass.update(data);

      Object signatures = factory.nextObject();
      if (!(signatures instanceof PGPSignatureList) || ((PGPSignatureList) signatures).size() != 1) {
        throw new GeneralSecurityException("expected one signature");
      }
      if (factory.nextObject() != null || (outer != factory && outer.nextObject() != null)) {
        throw new GeneralSecurityException("data after the signature");
      }
      PGPSignature signature = ((PGPSignatureList) signatures).get(0);
      if (signature.getKeyID() != onePass.getKeyID()
          || signature.getSignatureType() != onePass.getSignatureType()
          || signature.getHashAlgorithm() != onePass.getHashAlgorithm()) {
        throw new GeneralSecurityException("signature does not match its one-pass header");
      }
      if (!onePass.verify(signature)) {
        throw new GeneralSecurityException("bad signature");
      }
      if (expectedPayload.length > 0 && !MessageDigest.isEqual(data, expectedPayload)) {
        throw new GeneralSecurityException("signed data is not the expected payload");
      }
      return data;
    } catch (IOException | PGPException e) {
      throw new GeneralSecurityException("unreadable signed message", e);
    }
  }

  private static void checkSignatureKind(int signatureType, int hashAlgorithm) throws GeneralSecurityException {
    if (signatureType != PGPSignature.BINARY_DOCUMENT && signatureType != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
      throw new GeneralSecurityException("not a document signature");
    }
    switch (hashAlgorithm) {
      case HashAlgorithmTags.SHA224:
      case HashAlgorithmTags.SHA256:
      case HashAlgorithmTags.SHA384:
      case HashAlgorithmTags.SHA512:
        return;
      default:
        // MD5, SHA-1 and RIPEMD-160 are not collision resistant enough to vouch for an image.
        throw new GeneralSecurityException("weak hash algorithm " + hashAlgorithm);
    }
  }

  /** The primary key, or a subkey the primary key bound for signing data. */
  private PGPPublicKey signingKey(long keyId) throws GeneralSecurityException, PGPException {
    PGPPublicKey primary = ring.getPublicKey();
    if (primary.getKeyID() == keyId) {
      return primary;
    }
    PGPPublicKey subkey = ring.getPublicKey(keyId);
    if (subkey == null || subkey.isMasterKey()) {
      throw new GeneralSecurityException("unknown key");
    }
    Iterator<PGPSignature> bindings = subkey.getSignaturesOfType(PGPSignature.SUBKEY_BINDING);
    while (bindings.hasNext()) {
      PGPSignature binding = bindings.next();
      if (binding.getKeyID() != primary.getKeyID()) {
        continue;
      }
      binding.init(new BcPGPContentVerifierBuilderProvider(), primary);
      boolean canSign = binding.getHashedSubPackets() != null
          && (binding.getHashedSubPackets().getKeyFlags() & KeyFlags.SIGN_DATA) != 0;
      if (canSign && binding.verifyCertification(primary, subkey)) {
        return subkey;
      }
    }
    throw new GeneralSecurityException("subkey not bound for signing");
  }

  private static byte[] readBounded(InputStream in) throws IOException, GeneralSecurityException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) > 0) {
      out.write(buffer, 0, n);
      if (out.size() > MAX_LITERAL_BYTES) {
        throw new GeneralSecurityException("literal data too large");
      }
    }
    return out.toByteArray();
  }

  @Override
  public String toString() {
    return "PgpVerifier(" + fingerprint + ")";
  }
}
