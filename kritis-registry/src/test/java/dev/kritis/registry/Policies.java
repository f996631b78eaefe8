package dev.kritis.registry;

import dev.kritis.core.policy.PolicyException;
import dev.kritis.core.policy.PolicySet;
import dev.kritis.testkit.TestKey;

/** The policy the tests verify against: namespace prod needs authority "signer" (one key). */
final class Policies {
  static final String NAMESPACE = "prod";
  static final String NOTE = "projects/kritis/notes/signer";

  private Policies() {}

  static PolicySet requiring(TestKey key) throws PolicyException {
    String yaml = "apiVersion: kritis.grafeas.io/v1beta1\n"
        + "kind: AttestationAuthority\n"
        + "metadata:\n  name: signer\n  namespace: prod\n"
        + "spec:\n  noteReference: " + NOTE + "\n  publicKeyData: " + key.publicKeyDataBase64() + "\n"
        + "---\n"
        + "apiVersion: kritis.grafeas.io/v1beta1\n"
        + "kind: GenericAttestationPolicy\n"
        + "metadata:\n  name: require-signer\n  namespace: prod\n"
        + "spec:\n  attestationAuthorityNames: [signer]\n";
    return PolicySet.builder().addManifest(yaml, "test").build();
  }
}
