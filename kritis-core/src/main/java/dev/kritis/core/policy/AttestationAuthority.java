package dev.kritis.core.policy;

import dev.kritis.core.crypto.VerificationKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A party whose signature an image may need: its name, the namespace it lives in, the Grafeas
 * note its attestations are filed under, and its trusted public keys (at least one).
 */
public final class AttestationAuthority {
  private final String namespace;
  private final String name;
  private final String noteReference;
  private final List<VerificationKey> keys;

  private AttestationAuthority(String namespace, String name, String noteReference, List<VerificationKey> keys) {
    this.namespace = namespace;
    this.name = name;
    this.noteReference = noteReference;
    this.keys = keys;
  }

  /**
   * @param noteReference null or empty when the authority names no note
   * @throws IllegalArgumentException if {@code keys} is empty: an authority no key can satisfy is
   *     a configuration mistake
   */
  public static AttestationAuthority create(String namespace, String name, String noteReference, List<VerificationKey> keys) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("attestation authority " + namespace + "/" + name + " has no public key");
    }
    return new AttestationAuthority(namespace, name,
        noteReference == null || noteReference.isEmpty() ? null : noteReference, List.copyOf(keys));
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  /** {@code spec.noteReference}: attestations filed under another note do not count for it. */
  public Optional<String> noteReference() {
    return Optional.ofNullable(noteReference);
  }

  public List<VerificationKey> keys() {
    return keys;
  }

  @Override
  public String toString() {
    return "AttestationAuthority(" + namespace + "/" + name + ", note=" + noteReference + ", keys=" + keys + ")";
  }
}
