package dev.kritis.core.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kritis.core.attestation.OccurrenceDirectorySource;
import dev.kritis.core.policy.PolicyException;
import dev.kritis.core.policy.PolicySet;
import dev.kritis.core.verify.Reason.Code;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kritis's own PGP attestation vector, end to end: an upstream-form authority with a PGP key and a
 * v1beta1 occurrence carrying a pgpSignedAttestation admit kritis-server by digest.
 */
class PgpAttestationTest {
  private static final Path VECTOR = Path.of(System.getProperty("kritis.shared.dir", "../../shared"), "conformance", "kritis-pgp");
  private static final String FINGERPRINT = "D283A5F5F5F5ECAA9EF185C5AE8B6994116315A3";
  private static final String IMAGE =
      "gcr.io/kritis-project/kritis-server@sha256:b3f3eccfd27c9864312af3796067e7db28007a1566e1e042c5862eed3ff1b2c8";

  @TempDir Path dir;

  private static String authority(String keyId) throws Exception {
    String key = Base64.getEncoder().encodeToString(Files.readAllBytes(VECTOR.resolve("public-key.asc")));
    return "apiVersion: kritis.grafeas.io/v1beta1\nkind: AttestationAuthority\nmetadata: {name: kritis-authority, namespace: default}\n"
        + "spec:\n  noteReference: projects/kritis-project/notes/kritis-authority\n  publicKeys:\n"
        + "    - keyType: PGP\n" + (keyId == null ? "" : "      keyId: " + keyId + "\n")
        + "      asciiArmoredPgpPublicKey: " + key + "\n"
        + "---\napiVersion: kritis.grafeas.io/v1beta1\nkind: GenericAttestationPolicy\nmetadata: {name: gap, namespace: default}\n"
        + "spec:\n  attestationAuthorityNames: [kritis-authority]\n";
  }

  private Path occurrence(String signature) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.putObject("resource").put("uri", "https://" + IMAGE);
    root.put("noteName", "projects/kritis-project/notes/kritis-authority");
    root.put("kind", "ATTESTATION");
    ObjectNode pgp = root.putObject("attestation").putObject("attestation").putObject("pgpSignedAttestation");
    pgp.put("signature", signature);
    pgp.put("contentType", "SIMPLE_SIGNING_JSON");
    pgp.put("pgpKeyId", FINGERPRINT);
    Path occurrences = Files.createDirectories(dir.resolve("occurrences"));
    Files.writeString(occurrences.resolve("pgp.json"), json.writeValueAsString(root));
    return occurrences;
  }

  private ImageDecision check(String signature, String keyId) throws Exception {
    ImageVerifier verifier = ImageVerifier.builder()
        .policies(PolicySet.builder().addManifest(authority(keyId), "pgp.yaml").build())
        .addSource(OccurrenceDirectorySource.load(occurrence(signature)))
        .build();
    return verifier.verify("default", List.of(IMAGE), Duration.ofSeconds(5)).images().get(0);
  }

  @Test
  void kritisPgpVector_admitsTheImage() throws Exception {
    String signature = Files.readString(VECTOR.resolve("signature.asc"), StandardCharsets.US_ASCII);
    ImageDecision decision = check(signature, null);
    assertThat(decision.allowed()).as(decision.toString()).isTrue();
  }

  @Test
  void kritisPgpVector_withFingerprintAsKeyId_admitsTheImage() throws Exception {
    String signature = Files.readString(VECTOR.resolve("signature.asc"), StandardCharsets.US_ASCII);
    assertThat(check(signature, FINGERPRINT.toLowerCase(java.util.Locale.ROOT)).allowed()).isTrue();
  }

  @Test
  void pgpKeyIdThatIsNotTheFingerprint_isAPolicyError() {
    assertThatThrownBy(() -> PolicySet.builder().addManifest(authority("ABCDEF"), "pgp.yaml"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("does not match the PGP key's fingerprint");
  }

  @Test
  void tamperedPgpMessage_isDenied() throws Exception {
    String signature = Files.readString(VECTOR.resolve("signature.asc"), StandardCharsets.US_ASCII);
    String[] lines = signature.split("\n");
    // Change one base64 character in the middle of the armored body.
    int middle = lines.length / 2;
    char c = lines[middle].charAt(5);
    lines[middle] = lines[middle].substring(0, 5) + (c == 'A' ? 'B' : 'A') + lines[middle].substring(6);
    ImageDecision decision = check(String.join("\n", lines), null);
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reasons()).extracting(Reason::code).contains(Code.SIGNATURE_INVALID);
  }

  @Test
  void pgpSignatureForAnotherImage_isDenied() throws Exception {
    String signature = Files.readString(VECTOR.resolve("signature.asc"), StandardCharsets.US_ASCII);
    ImageVerifier verifier = ImageVerifier.builder()
        .policies(PolicySet.builder().addManifest(authority(null), "pgp.yaml").build())
        .addSource(OccurrenceDirectorySource.load(occurrence(signature)))
        .build();
    // Same digest, other repository: the occurrence does not even belong to it.
    String other = IMAGE.replace("kritis-server", "other-server");
    assertThat(verifier.verify("default", List.of(other), Duration.ofSeconds(5)).allowed()).isFalse();
  }
}
