package dev.kritis.core.verify;

import java.util.Objects;
import java.util.Optional;

/**
 * One machine-readable fact behind a decision: what was checked, and what came of it. The user
 * sees only the one-sentence message of an {@link ImageDecision}; reasons are for logs, JSON
 * output and operators.
 */
public final class Reason {

  /** What a reason reports. */
  public enum Code {
    /** The reference does not parse. */
    INVALID_REFERENCE,
    /** Tag-only reference and no digest resolver configured. */
    REFERENCED_BY_TAG,
    /** The digest resolver failed (unreachable registry, refused credentials, timeout). */
    DIGEST_RESOLUTION_FAILED,
    /** The registry answered that the tag does not exist: a definite "no", not a failure. */
    TAG_NOT_FOUND,
    /** An allowlist pattern matched. */
    ALLOWLISTED,
    /** The namespace has no GenericAttestationPolicy. */
    NO_POLICY,
    /** A policy's authorities all attest the digest. */
    ATTESTED,
    /** A policy is unusable: it names no authority, or one that does not exist. */
    POLICY_ERROR,
    /** No attestation was found for an authority. */
    NO_ATTESTATIONS,
    /** An attestation names a key id the authority does not have. */
    UNKNOWN_KEY,
    /** A signature verifies under none of the candidate keys. */
    SIGNATURE_INVALID,
    /** A verified payload is not a valid simple-signing document. */
    PAYLOAD_INVALID,
    /** A verified payload is for another digest. */
    DIGEST_MISMATCH,
    /** A verified payload is for another repository. */
    REFERENCE_MISMATCH,
    /** A verified payload has a {@code critical.type} that is not accepted. */
    UNSUPPORTED_TYPE,
    /** An attestation source failed. */
    SOURCE_ERROR,
    /** The deadline passed before the check finished. */
    TIMED_OUT,
    /** One authority did not attest: summary of the attempts above. */
    NOT_ATTESTED
  }

  private final Code code;
  private final String message;
  private final String policy;
  private final String authority;

  private Reason(Code code, String message, String policy, String authority) {
    this.code = code;
    this.message = message;
    this.policy = policy;
    this.authority = authority;
  }

  public static Reason of(Code code, String message) {
    return new Reason(Objects.requireNonNull(code), Objects.requireNonNull(message), null, null);
  }

  /** A reason about one policy and, optionally, one of its authorities. */
  public static Reason of(Code code, String message, String policy, String authority) {
    return new Reason(Objects.requireNonNull(code), Objects.requireNonNull(message), policy, authority);
  }

  public Code code() {
    return code;
  }

  /** A sentence for people: what happened, with names and values. */
  public String message() {
    return message;
  }

  /** The GenericAttestationPolicy (namespace/name) the reason concerns, if any. */
  public Optional<String> policy() {
    return Optional.ofNullable(policy);
  }

  /** The AttestationAuthority (namespace/name) the reason concerns, if any. */
  public Optional<String> authority() {
    return Optional.ofNullable(authority);
  }

  @Override
  public String toString() {
    return code + ": " + message;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Reason)) {
      return false;
    }
    Reason r = (Reason) o;
    return code == r.code && message.equals(r.message) && Objects.equals(policy, r.policy) && Objects.equals(authority, r.authority);
  }

  @Override
  public int hashCode() {
    return Objects.hash(code, message, policy, authority);
  }
}
