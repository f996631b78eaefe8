package dev.kritis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kritis.testkit.Attestations;
import dev.kritis.testkit.Manifests;
import dev.kritis.testkit.TestKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
  static final TestKey KEY = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
  static final String DIGEST = Attestations.digest(31);
  static final String SIGNED = "gcr.io/team/app@" + DIGEST;

  @TempDir Path dir;
  Path policies;
  Path attestations;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void setUp() throws Exception {
    policies = Files.createDirectories(dir.resolve("policies"));
    attestations = Files.createDirectories(dir.resolve("attestations"));
    Files.writeString(policies.resolve("p.yaml"), Manifests.documents(
        Manifests.seedAuthority("team", "auth", null, KEY, "k1"),
        Manifests.policy("team", "gap", List.of("auth"), List.of())));
    Files.writeString(attestations.resolve("app.json"), Attestations.occurrence("https://gcr.io/team/app@" + DIGEST, null,
        Attestations.payload("gcr.io/team/app", DIGEST), KEY, "k1"));
  }

  private int run(String... args) {
    List<String> all = new ArrayList<>(List.of("verify"));
    all.addAll(Arrays.asList(args));
    return Main.run(all.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void verify_signedImage_exitsZero() {
    assertThat(run("--policies", policies.toString(), "--attestations", attestations.toString(), "-n", "team", SIGNED)).isZero();
    assertThat(out()).contains("ALLOWED image " + SIGNED + " is attested");
  }

  @Test
  void verify_unsignedImage_exitsOneWithTheExactSentence() {
    int code = run("--policies", policies.toString(), "--attestations", attestations.toString(), "--namespace=team",
        SIGNED, "alpine:3.11");
    assertThat(code).isEqualTo(1);
    assertThat(out()).contains("image alpine:3.11 is not attested");
  }

  @Test
  void verify_jsonOutput_isOneObjectWithEveryImage() throws Exception {
    int code = run("--policies", policies.toString(), "--attestations", attestations.toString(), "-n", "team",
        "-o", "json", SIGNED, "alpine:3.11");
    assertThat(code).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(out());
    assertThat(json.get("allowed").booleanValue()).isFalse();
    assertThat(json.get("images")).hasSize(2);
    JsonNode first = json.get("images").get(0);
    assertThat(first.get("image").textValue()).isEqualTo(SIGNED);
    assertThat(first.get("digest").textValue()).isEqualTo(DIGEST);
    assertThat(first.get("allowed").booleanValue()).isTrue();
    JsonNode second = json.get("images").get(1);
    assertThat(second.get("message").textValue()).isEqualTo("image alpine:3.11 is not attested");
    assertThat(second.get("digest").isNull()).isTrue();
    assertThat(second.get("reasons").get(0).get("code").textValue()).isEqualTo("REFERENCED_BY_TAG");
  }

  @Test
  void verify_badPolicyFile_exitsTwoNamingTheFile() throws Exception {
    Files.writeString(policies.resolve("bad.yaml"), "apiVersion: kritis.grafeas.io/v1beta1\nkind: GenericAttestationPolicy\nmetadata: {name: x}\nspec: {oops: 1}\n");
    int code = run("--policies", policies.toString(), "--attestations", attestations.toString(), SIGNED);
    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("bad.yaml").contains("unknown field \"oops\"").doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void verify_badOccurrenceFile_exitsTwoNamingTheFile() throws Exception {
    Files.writeString(attestations.resolve("broken.json"), "{\"resourceUri\": 5, \"attestation\": {}}");
    int code = run("--policies", policies.toString(), "--attestations", attestations.toString(), SIGNED);
    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("broken.json").contains("must be a string").doesNotContain("\tat ");
  }

  @Test
  void verify_missingOptions_exitTwoWithUsage() {
    assertThat(run(SIGNED)).isEqualTo(2);
    assertThat(err()).contains("--policies DIR is required").contains("usage: kritis verify");
  }

  @Test
  void verify_unknownOptionOrBadValues_exitTwo() {
    assertThat(run("--bogus")).isEqualTo(2);
    assertThat(err()).contains("unknown option --bogus");
    assertThat(run("--policies", "p", "--attestations", "a", "--output", "xml", "img")).isEqualTo(2);
    assertThat(err()).contains("--output must be text or json");
    assertThat(run("--policies", "p", "--attestations", "a", "--timeout", "soon", "img")).isEqualTo(2);
    assertThat(err()).contains("--timeout \"soon\" is not a positive duration");
    assertThat(run("--policies")).isEqualTo(2);
    assertThat(err()).contains("--policies needs a value");
  }

  @Test
  void verify_missingPolicyDirectory_exitsTwo() {
    assertThat(run("--policies", dir.resolve("nope").toString(), "--attestations", attestations.toString(), SIGNED)).isEqualTo(2);
    assertThat(err()).contains("does not exist");
  }

  @Test
  void verify_help_exitsZero() {
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("usage: kritis verify");
  }

  @Test
  void main_unknownCommand_exitsTwo() {
    int code = Main.run(new String[] {"frobnicate"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("unknown command \"frobnicate\"");
  }

  /** Real objects, as a deploy tool would have them: {@code kubectl create … --dry-run=client -o yaml}. */
  private static String kubectl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("kubectl"));
    command.addAll(Arrays.asList(args));
    command.addAll(List.of("--dry-run=client", "-o", "yaml"));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      throw new AssertionError("kubectl is required for this test (it needs no API server for --dry-run=client)", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    return output;
  }

  @Test
  void verify_manifests_checksEveryContainerInItsObjectsNamespace() throws Exception {
    Path manifests = dir.resolve("deploy.yaml");
    Files.writeString(manifests, kubectl("create", "deployment", "app", "--image=" + SIGNED, "-n", "team")
        + "---\n" + kubectl("create", "cronjob", "nightly", "--image=alpine:3.11", "--schedule=0 1 * * *", "-n", "team")
        + "---\n" + kubectl("create", "job", "other", "--image=busybox:1.36", "-n", "unprotected"));
    int code = run("--policies", policies.toString(), "--attestations", attestations.toString(), "--manifests", manifests.toString());
    assertThat(code).isEqualTo(1);
    assertThat(out()).contains("ALLOWED image " + SIGNED + " is attested").contains("[namespace team]")
        .contains("DENIED  image alpine:3.11 is not attested [namespace team]")
        .contains("ALLOWED image busybox:1.36 is not subject to a policy [namespace unprotected]");
  }

  @Test
  void verify_manifestsAllSigned_exitsZeroAndJsonNamesNamespaces() throws Exception {
    Path manifests = Files.createDirectories(dir.resolve("k8s"));
    Files.writeString(manifests.resolve("app.yaml"), kubectl("create", "deployment", "app", "--image=" + SIGNED, "-n", "team"));
    int code = run("--policies", policies.toString(), "--attestations", attestations.toString(), "-f", manifests.toString(),
        "-o", "json");
    assertThat(code).as(out() + err()).isZero();
    JsonNode json = new ObjectMapper().readTree(out());
    assertThat(json.get("images").get(0).get("namespace").textValue()).isEqualTo("team");
  }

  @Test
  void verify_manifestContainerWithoutImage_exitsTwo() throws Exception {
    Path manifests = dir.resolve("bad.yaml");
    Files.writeString(manifests, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n");
    assertThat(run("--policies", policies.toString(), "--attestations", attestations.toString(), "--manifests", manifests.toString()))
        .isEqualTo(2);
    assertThat(err()).contains("container \"c\" has no image");
  }
}
