package dev.kritis.core.policy;

import java.util.List;
import java.util.Objects;

/**
 * A namespace's requirement: an image is admitted when every named authority attests it, or when
 * it matches one of the allowlist patterns. A namespace with several policies admits an image
 * that satisfies any one of them.
 */
public final class GenericAttestationPolicy {
  private final String namespace;
  private final String name;
  private final List<String> authorityNames;
  private final List<ImagePattern> allowlist;

  private GenericAttestationPolicy(String namespace, String name, List<String> authorityNames, List<ImagePattern> allowlist) {
    this.namespace = namespace;
    this.name = name;
    this.authorityNames = authorityNames;
    this.allowlist = allowlist;
  }

  /**
   * An empty {@code authorityNames} is accepted here and makes the policy deny everything that is
   * not allowlisted, with a reason naming the policy: a policy must never admit by being empty.
   */
  public static GenericAttestationPolicy create(String namespace, String name, List<String> authorityNames,
      List<ImagePattern> allowlist) {
    return new GenericAttestationPolicy(Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(name, "name"),
        List.copyOf(authorityNames), List.copyOf(allowlist));
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  /** {@code spec.attestationAuthorityNames}: authorities in the same namespace. */
  public List<String> authorityNames() {
    return authorityNames;
  }

  /** {@code spec.admissionAllowlistPatterns[].namePattern}. */
  public List<ImagePattern> allowlist() {
    return allowlist;
  }

  @Override
  public String toString() {
    return "GenericAttestationPolicy(" + namespace + "/" + name + ", authorities=" + authorityNames + ", allowlist=" + allowlist + ")";
  }
}
