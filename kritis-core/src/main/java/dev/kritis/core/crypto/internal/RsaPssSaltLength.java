package dev.kritis.core.crypto.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Recovers the salt length an RSA-PSS signature was made with (RFC 8017 §9.1.2, steps 1-10 of
 * EMSA-PSS-VERIFY, run only up to the point where DB is unmasked).
 *
 * <p>Why: Tink (like the JCA) verifies PSS only for one fixed salt length, but signers differ: Go's
 * {@code rsa.SignPSS} uses the maximum (emLen - hLen - 2), KMS and openssl use hLen. The salt
 * length is not secret and is fully determined by the signature, so we read it here and then let
 * Tink verify with exactly that length: Tink still makes the decision, this class only chooses
 * which of Tink's verifiers to ask. A forged signature that yields some salt length here still has
 * to pass Tink's full check.
 */
final class RsaPssSaltLength {
  private RsaPssSaltLength() {}

  /**
   * Returns the salt length encoded in {@code signature}, or throws if the encoded message is not
   * shaped like EMSA-PSS (then the signature cannot verify with any salt length).
   */
  static int recover(BigInteger modulus, BigInteger publicExponent, String hashName, byte[] signature)
      throws GeneralSecurityException {
    int modBits = modulus.bitLength();
    int k = (modBits + 7) / 8;
    if (signature.length != k) {
      throw new GeneralSecurityException("wrong signature length");
    }
    BigInteger s = new BigInteger(1, signature);
    if (s.compareTo(modulus) >= 0) {
      throw new GeneralSecurityException("signature representative out of range");
    }
    // RSAVP1: the public operation. Public data only, so BigInteger's timing is of no concern.
    BigInteger m = s.modPow(publicExponent, modulus);
    int emBits = modBits - 1;
    int emLen = (emBits + 7) / 8;
    MessageDigest digest = MessageDigest.getInstance(hashName);
    int hLen = digest.getDigestLength();
    if (m.bitLength() > emBits || emLen < hLen + 2) {
      throw new GeneralSecurityException("encoded message too long");
    }
    byte[] em = toFixedLength(m, emLen);
    if ((em[emLen - 1] & 0xff) != 0xbc) {
      throw new GeneralSecurityException("missing trailer");
    }
    int dbLen = emLen - hLen - 1;
    byte[] maskedDb = Arrays.copyOfRange(em, 0, dbLen);
    byte[] h = Arrays.copyOfRange(em, dbLen, dbLen + hLen);
    int unusedBits = 8 * emLen - emBits;
    int topMask = 0xff >>> unusedBits;
    if ((maskedDb[0] & ~topMask & 0xff) != 0) {
      throw new GeneralSecurityException("top bits set");
    }
    byte[] db = mgf1(digest, h, dbLen);
    for (int i = 0; i < dbLen; i++) {
      db[i] ^= maskedDb[i];
    }
    db[0] &= (byte) topMask;
    int i = 0;
    while (i < dbLen && db[i] == 0) {
      i++;
    }
    if (i == dbLen || db[i] != 0x01) {
      throw new GeneralSecurityException("no separator");
    }
    return dbLen - i - 1;
  }

  private static byte[] toFixedLength(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }

  private static byte[] mgf1(MessageDigest digest, byte[] seed, int length) {
    byte[] out = new byte[length];
    int hLen = digest.getDigestLength();
    byte[] counter = new byte[4];
    for (int offset = 0, c = 0; offset < length; offset += hLen, c++) {
      counter[0] = (byte) (c >>> 24);
      counter[1] = (byte) (c >>> 16);
      counter[2] = (byte) (c >>> 8);
      counter[3] = (byte) c;
      digest.reset();
      digest.update(seed);
      digest.update(counter);
      byte[] block = digest.digest();
      System.arraycopy(block, 0, out, offset, Math.min(hLen, length - offset));
    }
    return out;
  }
}
