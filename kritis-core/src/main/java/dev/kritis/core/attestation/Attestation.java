package dev.kritis.core.attestation;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One signature over one payload, as found in a Grafeas occurrence, a cosign signature layer or
 * any other {@link AttestationSource}. An occurrence that carries several signatures becomes
 * several attestations. Byte arrays are copied in and out, so an instance cannot be changed.
 */
public final class Attestation {
  private final byte[] payload;
  private final byte[] signature;
  private final String publicKeyId;
  private final String noteName;
  private final String origin;

  private Attestation(Builder b) {
    this.payload = b.payload.clone();
    this.signature = b.signature.clone();
    this.publicKeyId = b.publicKeyId;
    this.noteName = b.noteName;
    this.origin = b.origin;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The signed bytes: a simple-signing JSON document. Empty for PGP attached signatures, whose
   * signed message carries the payload inside {@link #signature()}.
   */
  public byte[] payload() {
    return payload.clone();
  }

  public byte[] signature() {
    return signature.clone();
  }

  /** The id of the key that made the signature, when the signer said; empty otherwise. */
  public Optional<String> publicKeyId() {
    return Optional.ofNullable(publicKeyId);
  }

  /** The Grafeas note the attestation was filed under; it then counts only for that authority. */
  public Optional<String> noteName() {
    return Optional.ofNullable(noteName);
  }

  /** Where it came from, for reasons and logs: {@code occurrences/a.json#2}, a registry URL, … */
  public String origin() {
    return origin;
  }

  @Override
  public String toString() {
    return "Attestation(origin=" + origin + ", publicKeyId=" + publicKeyId + ", noteName=" + noteName
        + ", payload=" + payload.length + " bytes, signature=" + signature.length + " bytes)";
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Attestation)) {
      return false;
    }
    Attestation a = (Attestation) o;
    return Arrays.equals(payload, a.payload) && Arrays.equals(signature, a.signature)
        && Objects.equals(publicKeyId, a.publicKeyId) && Objects.equals(noteName, a.noteName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(payload), Arrays.hashCode(signature), publicKeyId, noteName);
  }

  /** Builds an {@link Attestation}; payload, signature and origin are required. */
  public static final class Builder {
    private byte[] payload = new byte[0];
    private byte[] signature;
    private String publicKeyId;
    private String noteName;
    private String origin;

    private Builder() {}

    public Builder payload(byte[] payload) {
      this.payload = Objects.requireNonNull(payload, "payload");
      return this;
    }

    public Builder signature(byte[] signature) {
      this.signature = Objects.requireNonNull(signature, "signature");
      return this;
    }

    /** Null or empty means the signature names no key. */
    public Builder publicKeyId(String publicKeyId) {
      this.publicKeyId = publicKeyId == null || publicKeyId.isEmpty() ? null : publicKeyId;
      return this;
    }

    /** Null or empty means no note. */
    public Builder noteName(String noteName) {
      this.noteName = noteName == null || noteName.isEmpty() ? null : noteName;
      return this;
    }

    public Builder origin(String origin) {
      this.origin = Objects.requireNonNull(origin, "origin");
      return this;
    }

    public Attestation build() {
      if (signature == null) {
        throw new IllegalStateException("an attestation needs a signature");
      }
      if (origin == null) {
        throw new IllegalStateException("an attestation needs an origin");
      }
      return new Attestation(this);
    }
  }
}
