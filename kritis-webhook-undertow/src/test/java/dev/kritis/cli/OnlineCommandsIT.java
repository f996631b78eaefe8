package dev.kritis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kritis.testkit.Manifests;
import dev.kritis.testkit.TestKey;
import dev.kritis.testkit.registry.DockerRegistryServer;
import dev.kritis.testkit.registry.ImagePusher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kritis verify} and {@code kritis resolve} against the real registry server (Debian's
 * docker-registry, TLS + basic auth), with cosign-format signatures pushed by the test.
 */
class OnlineCommandsIT {
  private static final String USER = "deployer";
  private static final String PASSWORD = "p4ss-word";

  @TempDir static Path temp;
  private static DockerRegistryServer registry;
  private static Path policies;
  private static Path dockerConfig;
  private static String signedDigest;
  private static String unsignedDigest;

  @BeforeAll
  static void start() throws Exception {
    registry = DockerRegistryServer.startTls(USER, PASSWORD);
    ImagePusher pusher = registry.pusher();
    TestKey key = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
    String repository = registry.hostPort() + "/team/app";
    signedDigest = pusher.pushImage("team/app", "v1", "signed", true);
    pusher.pushCosignSignature("team/app", signedDigest, repository, key);
    unsignedDigest = pusher.pushImage("team/app", "v2", "unsigned", true);
    policies = Files.createDirectories(temp.resolve("policies"));
    Files.writeString(policies.resolve("p.yaml"), Manifests.documents(
        Manifests.seedAuthority("team", "ci", null, key, null),
        Manifests.policy("team", "gap", List.of("ci"), List.of())));
    dockerConfig = temp.resolve("config.json");
    registry.writeDockerConfig(dockerConfig);
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int kritis(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private int verify(String... images) {
    List<String> args = new ArrayList<>(List.of("verify", "--policies", policies.toString(), "-n", "team",
        "--registry-ca", registry.caBundle().toString(), "--docker-config", dockerConfig.toString(), "--timeout", "20s"));
    args.addAll(List.of(images));
    return kritis(args.toArray(new String[0]));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void verify_signedTag_isResolvedAndAdmitted() {
    String image = registry.hostPort() + "/team/app:v1";
    assertThat(verify(image)).as(out() + err()).isZero();
    assertThat(out()).contains("ALLOWED image " + image + " is attested (" + signedDigest + ")");
  }

  @Test
  void verify_signedDigest_isAdmitted() {
    assertThat(verify(registry.hostPort() + "/team/app@" + signedDigest)).as(out() + err()).isZero();
  }

  @Test
  void verify_unsignedTag_isDenied() {
    String image = registry.hostPort() + "/team/app:v2";
    assertThat(verify(image)).isEqualTo(1);
    assertThat(out()).contains("image " + image + " is not attested").contains(unsignedDigest);
  }

  @Test
  void verify_unknownTag_isDeniedSayingWhy() {
    String image = registry.hostPort() + "/team/app:nope";
    assertThat(verify(image)).isEqualTo(1);
    assertThat(out()).contains("image " + image + " is not attested").contains("TAG_NOT_FOUND");
  }

  @Test
  void verify_unreachableRegistry_isDeniedNotCrashed() {
    String image = "127.0.0.1:1/team/app:v1";
    assertThat(verify(image)).isEqualTo(1);
    assertThat(out()).contains("image " + image + " is not attested");
    assertThat(out() + err()).doesNotContain("\tat ");
  }

  @Test
  void verify_withoutCredentials_isDeniedNamingTheRefusal() {
    String image = registry.hostPort() + "/team/app:v1";
    int code = kritis("verify", "--policies", policies.toString(), "-n", "team",
        "--registry-ca", registry.caBundle().toString(), image);
    assertThat(code).isEqualTo(1);
    assertThat(out()).contains("image " + image + " is not attested").containsIgnoringCase("401");
  }

  @Test
  void resolve_printsEachImagePinnedToItsDigest() {
    String v1 = registry.hostPort() + "/team/app:v1";
    String v2 = registry.hostPort() + "/team/app:v2";
    int code = kritis("resolve", "--registry-ca", registry.caBundle().toString(), "--docker-config", dockerConfig.toString(), v1, v2);
    assertThat(code).as(err()).isZero();
    assertThat(out().lines()).containsExactly(v1 + "@" + signedDigest, v2 + "@" + unsignedDigest);
  }

  @Test
  void resolve_unknownTag_exitsOne() {
    int code = kritis("resolve", "--registry-ca", registry.caBundle().toString(), "--docker-config", dockerConfig.toString(),
        registry.hostPort() + "/team/app:missing");
    assertThat(code).isEqualTo(1);
    assertThat(err()).contains("cannot resolve");
  }

  @Test
  void badRegistryOptions_exitTwo() {
    assertThat(kritis("resolve", "--docker-config", temp.resolve("missing.json").toString(), "x/y:z")).isEqualTo(2);
    assertThat(err()).contains("missing.json");
    assertThat(kritis("verify", "--policies", policies.toString(), "--grafeas-url", "ftp://x", "x/y:z")).isEqualTo(2);
    assertThat(err()).contains("--grafeas-url expects an http(s) URL");
  }
}
