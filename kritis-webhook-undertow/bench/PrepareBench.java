// Prepares the load benchmark's inputs with nothing but the JDK (run: java PrepareBench.java OUT BODY):
// a quickstart-like policy for namespace "default" (one AttestationAuthority with a fresh ECDSA P-256
// key, one GenericAttestationPolicy), one signed Grafeas occurrence per image, and the shared
// harness's 3-container Deployment AdmissionReview with every image pinned to a digest, so the
// real verification path runs once per image and then the cache answers.
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

public class PrepareBench {
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    String body = Files.readString(Path.of(args[1]));
    Path policies = Files.createDirectories(out.resolve("policies"));
    Path attestations = Files.createDirectories(out.resolve("attestations"));

    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair key = generator.generateKeyPair();
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    Files.writeString(policies.resolve("quickstart.yaml"), String.join("\n",
        "apiVersion: kritis.grafeas.io/v1beta1",
        "kind: AttestationAuthority",
        "metadata: {name: qa, namespace: default}",
        "spec:",
        "  noteReference: projects/bench/notes/qa",
        "  publicKeyId: bench-key",
        "  publicKeyData: " + Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)),
        "---",
        "apiVersion: kritis.grafeas.io/v1beta1",
        "kind: GenericAttestationPolicy",
        "metadata: {name: require-qa, namespace: default}",
        "spec:",
        "  attestationAuthorityNames: [qa]",
        ""));

    // image as written in the shared body -> normalized repository
    Map<String, String> images = new LinkedHashMap<>();
    images.put("nginx:1.27", "docker.io/library/nginx");
    images.put("registry.example.com/team/app:2.3.1", "registry.example.com/team/app");
    images.put("fluent/fluent-bit:3.1.4", "docker.io/fluent/fluent-bit");
    int n = 0;
    for (Map.Entry<String, String> image : images.entrySet()) {
      String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(image.getKey().getBytes(StandardCharsets.UTF_8)));
      String quoted = "\"image\":\"" + image.getKey() + "\"";
      if (!body.contains(quoted)) {
        throw new IllegalStateException("the AdmissionReview has no " + quoted);
      }
      body = body.replace(quoted, "\"image\":\"" + image.getKey() + "@" + digest + "\"");
      String payload = "{\"critical\":{\"identity\":{\"docker-reference\":\"" + image.getValue() + "\"},"
          + "\"image\":{\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"atomic container signature\"}}";
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(key.getPrivate());
      signer.update(payload.getBytes(StandardCharsets.UTF_8));
      String occurrence = "{\"resourceUri\":\"https://" + image.getValue() + "@" + digest + "\",\"kind\":\"ATTESTATION\","
          + "\"attestation\":{\"serializedPayload\":\"" + Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
          + "\",\"signatures\":[{\"signature\":\"" + Base64.getEncoder().encodeToString(signer.sign())
          + "\",\"publicKeyId\":\"bench-key\"}]}}";
      Files.writeString(attestations.resolve("occurrence-" + (++n) + ".json"), occurrence);
    }
    Files.writeString(out.resolve("admission-review.json"), body);
    System.out.println("prepared " + out + ": policy, " + n + " signed occurrences, admission-review.json");
  }
}
