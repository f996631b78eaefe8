package dev.kritis.testkit;

import java.util.List;
import java.util.stream.Collectors;

/** Writes kritis policy manifests as a user would {@code kubectl apply} them. */
public final class Manifests {
  private Manifests() {}

  /** A seed-form (Alibaba) AttestationAuthority: base64 PEM in {@code publicKeyData}. */
  public static String seedAuthority(String namespace, String name, String noteReference, TestKey key, String keyId) {
    return "apiVersion: kritis.grafeas.io/v1beta1\n"
        + "kind: AttestationAuthority\n"
        + "metadata:\n  name: " + name + "\n  namespace: " + namespace + "\n"
        + "spec:\n"
        + (noteReference == null ? "" : "  noteReference: " + noteReference + "\n")
        + "  publicKeyData: " + key.publicKeyDataBase64() + "\n"
        + (keyId == null ? "" : "  publicKeyId: " + keyId + "\n");
  }

  /** An upstream-form AttestationAuthority with one PKIX key and an explicit algorithm. */
  public static String pkixAuthority(String namespace, String name, String noteReference, TestKey key, String keyId) {
    String pem = key.publicKeyPem().lines().map(l -> "          " + l).collect(Collectors.joining("\n"));
    return "apiVersion: kritis.grafeas.io/v1beta1\n"
        + "kind: AttestationAuthority\n"
        + "metadata:\n  name: " + name + "\n  namespace: " + namespace + "\n"
        + "spec:\n"
        + (noteReference == null ? "" : "  noteReference: " + noteReference + "\n")
        + "  publicKeys:\n"
        + "    - keyId: " + keyId + "\n"
        + "      keyType: PKIX\n"
        + "      pkixPublicKey:\n"
        + "        signatureAlgorithm: " + key.algorithm().name() + "\n"
        + "        publicKeyPem: |\n" + pem + "\n";
  }

  /** A GenericAttestationPolicy requiring every named authority. */
  public static String policy(String namespace, String name, List<String> authorities, List<String> allowlistPatterns) {
    StringBuilder b = new StringBuilder()
        .append("apiVersion: kritis.grafeas.io/v1beta1\n")
        .append("kind: GenericAttestationPolicy\n")
        .append("metadata:\n  name: ").append(name).append("\n  namespace: ").append(namespace).append('\n')
        .append("spec:\n  attestationAuthorityNames:");
    if (authorities.isEmpty()) {
      b.append(" []\n");
    } else {
      b.append('\n');
      authorities.forEach(a -> b.append("    - ").append(a).append('\n'));
    }
    if (!allowlistPatterns.isEmpty()) {
      b.append("  admissionAllowlistPatterns:\n");
      allowlistPatterns.forEach(p -> b.append("    - namePattern: \"").append(p).append("\"\n"));
    }
    return b.toString();
  }

  /** A cluster-scoped AdmissionAllowlist. */
  public static String allowlist(String name, List<String> patterns) {
    StringBuilder b = new StringBuilder()
        .append("apiVersion: kritis.grafeas.io/v1beta1\nkind: AdmissionAllowlist\nmetadata:\n  name: ").append(name)
        .append("\nspec:\n  patterns:\n");
    patterns.forEach(p -> b.append("    - namePattern: \"").append(p).append("\"\n"));
    return b.toString();
  }

  /** Joins documents into one multi-document YAML file. */
  public static String documents(String... documents) {
    return String.join("---\n", documents);
  }
}
