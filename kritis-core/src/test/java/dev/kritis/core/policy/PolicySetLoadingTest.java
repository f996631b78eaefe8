package dev.kritis.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kritis.testkit.Manifests;
import dev.kritis.testkit.TestKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicySetLoadingTest {
  private static final TestKey KEY = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);

  /** The README's example, verbatim in shape: Alibaba's seed form. */
  private static final String SEED = Manifests.documents(
      Manifests.seedAuthority("default", "13579-namespace", "namespaces/13579-namespace", KEY, "4a2ef103-5aa3-4220-89ee-kms-key-id"),
      Manifests.policy("default", "demo-gap", List.of("13579-namespace"), List.of()));

  private static PolicySet parse(String text) throws PolicyException {
    return PolicySet.builder().addManifest(text, "policy.yaml").build();
  }

  @Test
  void addManifest_seedForm_readsAuthorityKeyAndPolicy() throws Exception {
    PolicySet set = parse(SEED);
    AttestationAuthority authority = set.authority("default", "13579-namespace").orElseThrow();
    assertThat(authority.noteReference()).contains("namespaces/13579-namespace");
    assertThat(authority.keys()).singleElement()
        .satisfies(k -> assertThat(k.keyId()).isEqualTo("4a2ef103-5aa3-4220-89ee-kms-key-id"));
    assertThat(set.policies("default")).singleElement()
        .satisfies(p -> assertThat(p.authorityNames()).containsExactly("13579-namespace"));
    assertThat(set.policies("other")).isEmpty();
  }

  @Test
  void addManifest_rawPemInPublicKeyData_isAccepted() throws Exception {
    String raw = "apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata: {name: a}\nspec:\n  publicKeyData: |\n"
        + KEY.publicKeyPem().lines().map(l -> "    " + l + "\n").reduce("", String::concat);
    assertThat(parse(raw).authority("default", "a")).isPresent();
  }

  @Test
  void addManifest_upstreamForm_readsKeyIdAndAlgorithm() throws Exception {
    PolicySet set = parse(Manifests.pkixAuthority("ns", "up", null, KEY, "projects/p/keys/k1"));
    assertThat(set.authority("ns", "up").orElseThrow().keys().get(0).keyId()).isEqualTo("projects/p/keys/k1");
  }

  @Test
  void addManifest_json_andKubernetesList_areRead() throws Exception {
    String json = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"kritis.grafeas.io/v1beta1\","
        + "\"kind\":\"AdmissionAllowlist\",\"metadata\":{\"name\":\"sys\"},\"spec\":{\"patterns\":[{\"namePattern\":\"gcr.io/sys/*\"}]}}]}";
    assertThat(parse(json).allowlists()).singleElement().satisfies(l -> assertThat(l.name()).isEqualTo("sys"));
  }

  @Test
  void addManifest_otherApiGroups_areSkipped() throws Exception {
    PolicySet set = parse("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n" + SEED + "---\n");
    assertThat(set.size()).isEqualTo(2);
  }

  @Test
  void addPath_directory_readsYamlAndJsonRecursivelyAndIgnoresOtherFiles(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), SEED);
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/b.yml"), Manifests.allowlist("sys", List.of("gcr.io/sys/**")));
    Files.writeString(dir.resolve("README.md"), "not a manifest: [");
    PolicySet set = PolicySet.load(List.of(dir));
    assertThat(set.size()).isEqualTo(3);
  }

  @Test
  void addPath_missingPath_namesIt(@TempDir Path dir) {
    assertThatThrownBy(() -> PolicySet.load(List.of(dir.resolve("nope")))).hasMessageContaining("nope").hasMessageContaining("does not exist");
  }

  @Test
  void addManifest_duplicateName_namesBothPlaces() {
    assertThatThrownBy(() -> PolicySet.builder().addManifest(SEED, "one.yaml").addManifest(SEED, "two.yaml"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("two.yaml").hasMessageContaining("first in one.yaml").hasMessageContaining("defined twice");
  }

  @Test
  void version_differsBetweenBuilds() throws Exception {
    assertThat(parse(SEED).version()).isNotEqualTo(parse(SEED).version());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "typo in spec field | apiVersion: kritis.grafeas.io/v1beta1\\nkind: GenericAttestationPolicy\\nmetadata: {name: g}\\nspec: {attestationAuthorityName: [a]} | unknown field \"attestationAuthorityName\"",
      "authority names not a list | apiVersion: kritis.grafeas.io/v1beta1\\nkind: GenericAttestationPolicy\\nmetadata: {name: g}\\nspec: {attestationAuthorityNames: a} | must be a list of names",
      "no metadata name | apiVersion: kritis.grafeas.io/v1beta1\\nkind: GenericAttestationPolicy\\nmetadata: {}\\nspec: {} | field \"name\" is missing",
      "bad name | apiVersion: kritis.grafeas.io/v1beta1\\nkind: GenericAttestationPolicy\\nmetadata: {name: Bad_Name}\\nspec: {} | not a valid Kubernetes name",
      "no spec | apiVersion: kritis.grafeas.io/v1beta1\\nkind: GenericAttestationPolicy\\nmetadata: {name: g} | \"spec\" must be an object",
      "old version | apiVersion: kritis.grafeas.io/v1alpha1\\nkind: GenericAttestationPolicy\\nmetadata: {name: g}\\nspec: {} | expected kritis.grafeas.io/v1beta1",
      "unsupported kind | apiVersion: kritis.grafeas.io/v1beta1\\nkind: ImageSecurityPolicy\\nmetadata: {name: g}\\nspec: {} | kind ImageSecurityPolicy is not supported",
      "authority without key | apiVersion: kritis.grafeas.io/v1beta1\\nkind: AttestationAuthority\\nmetadata: {name: a}\\nspec: {noteReference: n} | no public key",
      "key data not base64 pem | apiVersion: kritis.grafeas.io/v1beta1\\nkind: AttestationAuthority\\nmetadata: {name: a}\\nspec: {publicKeyData: aGVsbG8=} | neither base64 of a PEM public key",
      "key id without data | apiVersion: kritis.grafeas.io/v1beta1\\nkind: AttestationAuthority\\nmetadata: {name: a}\\nspec: {publicKeyId: k} | publicKeyData is missing",
      "unknown key type | apiVersion: kritis.grafeas.io/v1beta1\\nkind: AttestationAuthority\\nmetadata: {name: a}\\nspec: {publicKeys: [{keyId: k, keyType: X509}]} | keyType \"X509\" is not supported",
      "pkix without key id | apiVersion: kritis.grafeas.io/v1beta1\\nkind: AttestationAuthority\\nmetadata: {name: a}\\nspec: {publicKeys: [{keyType: PKIX, pkixPublicKey: {publicKeyPem: x}}]} | keyId is missing",
      "unknown algorithm | apiVersion: kritis.grafeas.io/v1beta1\\nkind: AttestationAuthority\\nmetadata: {name: a}\\nspec: {publicKeys: [{keyId: k, keyType: PKIX, pkixPublicKey: {publicKeyPem: x, signatureAlgorithm: DSA_SHA1}}]} | signatureAlgorithm \"DSA_SHA1\" is not supported",
      "bad pattern | apiVersion: kritis.grafeas.io/v1beta1\\nkind: AdmissionAllowlist\\nmetadata: {name: l}\\nspec: {patterns: [{namePattern: \"a/***\"}]} | spec.patterns[0].namePattern",
      "duplicate yaml key | apiVersion: kritis.grafeas.io/v1beta1\\nkind: AdmissionAllowlist\\nkind: GenericAttestationPolicy\\nmetadata: {name: l}\\nspec: {} | Duplicate field",
      "yaml syntax | apiVersion: [unclosed | not well-formed",
      "scalar document | just a string | expected a Kubernetes object",
      "kind missing | apiVersion: kritis.grafeas.io/v1beta1\\nmetadata: {name: l} | field \"kind\" is missing",
  })
  void addManifest_badManifest_namesFileObjectFieldAndExpectation(String name, String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml.replace("\\n", "\n")))
        .isInstanceOf(PolicyException.class)
        .hasMessageStartingWith("policy.yaml")
        .hasMessageContaining(message);
  }

  @Test
  void addManifest_badSecondDocument_namesTheDocument() {
    assertThatThrownBy(() -> parse(SEED + "---\napiVersion: kritis.grafeas.io/v1beta1\nkind: AdmissionAllowlist\nmetadata: {name: l}\nspec: {}\n"))
        .hasMessageStartingWith("policy.yaml document 3 (AdmissionAllowlist l)");
  }

  @Test
  void addManifest_badKeyForExplicitAlgorithm_isRejected() {
    TestKey rsa = TestKey.generate(TestKey.Algorithm.RSA_SIGN_PKCS1_2048_SHA256);
    String yaml = Manifests.pkixAuthority("ns", "a", null, rsa, "k").replace("RSA_SIGN_PKCS1_2048_SHA256", "ECDSA_P256_SHA256");
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(PolicyException.class).hasMessageContaining("spec.publicKeys[0].pkixPublicKey");
  }
}
