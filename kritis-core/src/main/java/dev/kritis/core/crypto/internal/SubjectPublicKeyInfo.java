package dev.kritis.core.crypto.internal;

import dev.kritis.core.crypto.KeyFormatException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A public key read from exactly one PEM {@code PUBLIC KEY} block (RFC 7468 §13, an X.509
 * SubjectPublicKeyInfo). Only the outer structure is parsed here: enough to know the key type
 * (and for EC keys the named curve) and to be sure no bytes hide before, inside or after the
 * block. The key itself is decoded by the JDK and validated again by Tink.
 */
public final class SubjectPublicKeyInfo {

  /** The key types kritis verifies with, by the algorithm OID in the SubjectPublicKeyInfo. */
  public enum KeyType {
    RSA("rsaEncryption (1.2.840.113549.1.1.1)"),
    EC("id-ecPublicKey (1.2.840.10045.2.1)"),
    ED25519("id-Ed25519 (1.3.101.112)");

    private final String description;

    KeyType(String description) {
      this.description = description;
    }

    @Override
    public String toString() {
      return description;
    }
  }

  /** Named curves kritis supports (RFC 5480 §2.1.1.1). */
  public enum Curve {
    P256("P-256", "2a8648ce3d030107", 32),
    P384("P-384", "2b81040022", 48),
    P521("P-521", "2b81040023", 66);

    private final String displayName;
    private final byte[] oid;
    private final int fieldSizeBytes;

    Curve(String displayName, String oidHex, int fieldSizeBytes) {
      this.displayName = displayName;
      this.oid = HexFormat.of().parseHex(oidHex);
      this.fieldSizeBytes = fieldSizeBytes;
    }

    /** Bytes of one coordinate or scalar; a P1363 signature is twice this long. */
    public int fieldSizeBytes() {
      return fieldSizeBytes;
    }

    @Override
    public String toString() {
      return displayName;
    }
  }

  private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
  private static final String END = "-----END PUBLIC KEY-----";
  private static final byte[] OID_RSA = HexFormat.of().parseHex("2a864886f70d010101");
  private static final byte[] OID_EC = HexFormat.of().parseHex("2a8648ce3d0201");
  private static final byte[] OID_ED25519 = HexFormat.of().parseHex("2b6570");

  private final byte[] der;
  private final KeyType keyType;
  private final Curve curve;
  private final byte[] subjectPublicKey;

  private SubjectPublicKeyInfo(byte[] der, KeyType keyType, Curve curve, byte[] subjectPublicKey) {
    this.der = der;
    this.keyType = keyType;
    this.curve = curve;
    this.subjectPublicKey = subjectPublicKey;
  }

  /**
   * Reads one PEM {@code PUBLIC KEY} block. Whitespace may surround it; any other text before or
   * after it, a second block, PEM headers, bad base64 and DER with trailing bytes are rejected.
   */
  public static SubjectPublicKeyInfo fromPem(String pem) throws KeyFormatException {
    if (pem == null) {
      throw new KeyFormatException("Expected a PEM \"PUBLIC KEY\" block but got null");
    }
    String text = pem.strip();
    if (!text.startsWith(BEGIN)) {
      int dashes = text.indexOf("-----BEGIN ");
      if (dashes < 0) {
        throw new KeyFormatException(
            "Expected a PEM block starting with \"" + BEGIN + "\" but found no PEM BEGIN line");
      }
      if (dashes > 0) {
        throw new KeyFormatException(
            "Expected the PEM to start with \"" + BEGIN + "\" but found " + dashes
                + " characters of other text before the BEGIN line");
      }
      int endOfLabel = text.indexOf("-----", dashes + 11);
      String label = endOfLabel < 0 ? "?" : text.substring(dashes + 11, endOfLabel);
      throw new KeyFormatException(
          "Expected a PEM \"PUBLIC KEY\" (SubjectPublicKeyInfo) block but found label \"" + label
              + "\"" + (label.contains("RSA") ? " (PKCS#1); convert it with "
              + "`openssl pkey -pubin -in key.pem` or `openssl rsa -RSAPublicKey_in -pubout`" : ""));
    }
    int end = text.indexOf(END);
    if (end < 0) {
      throw new KeyFormatException("Expected \"" + END + "\" after the BEGIN line but found none");
    }
    String trailing = text.substring(end + END.length());
    if (!trailing.isEmpty()) {
      throw new KeyFormatException(
          "Expected nothing after \"" + END + "\" but found " + trailing.length()
              + " more characters (extra data or a second PEM block)");
    }
    String body = text.substring(BEGIN.length(), end);
    if (body.indexOf(':') >= 0) {
      throw new KeyFormatException(
          "Expected only base64 inside the PUBLIC KEY block but found a PEM header line");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(stripWhitespace(body));
    } catch (IllegalArgumentException e) {
      throw new KeyFormatException("Expected base64 inside the PUBLIC KEY block but it is not valid base64", e);
    }
    return fromDer(der);
  }

  private static String stripWhitespace(String body) throws KeyFormatException {
    StringBuilder sb = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        continue;
      }
      boolean base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '+' || c == '/' || c == '=';
      if (!base64) {
        // The MIME decoder would silently skip such characters; a key must not.
        throw new KeyFormatException(
            "Expected base64 inside the PUBLIC KEY block but found the character U+"
                + String.format(java.util.Locale.ROOT, "%04X", (int) c));
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /** Reads a DER SubjectPublicKeyInfo; the whole array must be that one structure. */
  public static SubjectPublicKeyInfo fromDer(byte[] der) throws KeyFormatException {
    if (der.length == 0) {
      throw new KeyFormatException("Expected a DER SubjectPublicKeyInfo but the PEM body is empty");
    }
    DerReader outer = new DerReader(der, 0, der.length);
    DerReader spki = outer.readConstructed(0x30, "SubjectPublicKeyInfo SEQUENCE");
    if (outer.hasMore()) {
      throw new KeyFormatException(
          "Expected the DER SubjectPublicKeyInfo to end after " + outer.position() + " bytes but "
              + (der.length - outer.position()) + " bytes of trailing data follow");
    }
    DerReader algorithm = spki.readConstructed(0x30, "AlgorithmIdentifier SEQUENCE");
    byte[] oid = algorithm.readPrimitive(0x06, "algorithm OID");
    KeyType type;
    Curve curve = null;
    if (Arrays.equals(oid, OID_RSA)) {
      type = KeyType.RSA;
    } else if (Arrays.equals(oid, OID_EC)) {
      type = KeyType.EC;
      if (!algorithm.hasMore() || algorithm.peekTag() != 0x06) {
        throw new KeyFormatException(
            "Expected an EC key with a named curve (P-256, P-384 or P-521) but the key has "
                + "explicit or no curve parameters");
      }
      byte[] curveOid = algorithm.readPrimitive(0x06, "curve OID");
      for (Curve candidate : Curve.values()) {
        if (Arrays.equals(curveOid, candidate.oid)) {
          curve = candidate;
        }
      }
      if (curve == null) {
        throw new KeyFormatException(
            "Expected an EC key on P-256, P-384 or P-521 but the curve OID is "
                + DerReader.oidToString(curveOid));
      }
    } else if (Arrays.equals(oid, OID_ED25519)) {
      type = KeyType.ED25519;
    } else {
      throw new KeyFormatException(
          "Expected an RSA, EC or Ed25519 public key but the key algorithm OID is "
              + DerReader.oidToString(oid));
    }
    byte[] bits = spki.readPrimitive(0x03, "subjectPublicKey BIT STRING");
    if (bits.length == 0 || bits[0] != 0) {
      throw new KeyFormatException("Expected a whole-byte subjectPublicKey BIT STRING but it has unused bits");
    }
    if (spki.hasMore()) {
      throw new KeyFormatException("Expected the SubjectPublicKeyInfo to end after the key bits but more data follows");
    }
    return new SubjectPublicKeyInfo(der.clone(), type, curve, Arrays.copyOfRange(bits, 1, bits.length));
  }

  public byte[] der() {
    return der.clone();
  }

  /** The contents of the subjectPublicKey BIT STRING (for Ed25519: the 32 raw key bytes). */
  public byte[] subjectPublicKey() {
    return subjectPublicKey.clone();
  }

  public KeyType keyType() {
    return keyType;
  }

  /** The named curve of an EC key; null for other key types. */
  public Curve curve() {
    return curve;
  }

  /** Just enough DER (X.690) to walk a SubjectPublicKeyInfo: definite, minimal lengths only. */
  private static final class DerReader {
    private final byte[] data;
    private int pos;
    private final int end;

    DerReader(byte[] data, int start, int end) {
      this.data = data;
      this.pos = start;
      this.end = end;
    }

    boolean hasMore() {
      return pos < end;
    }

    int position() {
      return pos;
    }

    int peekTag() {
      return data[pos] & 0xff;
    }

    DerReader readConstructed(int tag, String what) throws KeyFormatException {
      int length = readHeader(tag, what);
      DerReader inner = new DerReader(data, pos, pos + length);
      pos += length;
      return inner;
    }

    byte[] readPrimitive(int tag, String what) throws KeyFormatException {
      int length = readHeader(tag, what);
      byte[] value = Arrays.copyOfRange(data, pos, pos + length);
      pos += length;
      return value;
    }

    private int readHeader(int tag, String what) throws KeyFormatException {
      if (pos >= end) {
        throw new KeyFormatException("Expected " + what + " but the DER ends early (truncated key?)");
      }
      int actualTag = data[pos++] & 0xff;
      if (actualTag != tag) {
        throw new KeyFormatException(String.format(java.util.Locale.ROOT,
            "Expected %s (DER tag 0x%02x) but found tag 0x%02x", what, tag, actualTag));
      }
      if (pos >= end) {
        throw new KeyFormatException("Expected the length of " + what + " but the DER ends early (truncated key?)");
      }
      int first = data[pos++] & 0xff;
      int length;
      if (first < 0x80) {
        length = first;
      } else {
        int count = first & 0x7f;
        if (count == 0 || count > 3 || pos + count > end) {
          throw new KeyFormatException("Expected a definite DER length for " + what + " but found an invalid one");
        }
        length = 0;
        for (int i = 0; i < count; i++) {
          length = (length << 8) | (data[pos++] & 0xff);
        }
        if (length < 0x80 || (count > 1 && length >>> (8 * (count - 1)) == 0)) {
          throw new KeyFormatException("Expected a minimal DER length for " + what + " but it is not minimal");
        }
      }
      if (length > end - pos) {
        throw new KeyFormatException(
            "Expected " + length + " bytes of " + what + " but only " + (end - pos)
                + " remain (truncated key?)");
      }
      return length;
    }

    static String oidToString(byte[] oid) {
      if (oid.length == 0) {
        return "<empty>";
      }
      StringBuilder sb = new StringBuilder();
      int first = oid[0] & 0xff;
      sb.append(Math.min(first / 40, 2)).append('.').append(first - 40 * Math.min(first / 40, 2));
      long value = 0;
      for (int i = 1; i < oid.length; i++) {
        value = (value << 7) | (oid[i] & 0x7f);
        if ((oid[i] & 0x80) == 0) {
          sb.append('.').append(value);
          value = 0;
        }
      }
      return sb.toString();
    }
  }
}
