package dev.kritis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kritis.registry.RegistryClient;
import dev.kritis.testkit.Manifests;
import dev.kritis.testkit.TestKey;
import dev.kritis.testkit.registry.DockerRegistryServer;
import dev.kritis.testkit.registry.ImagePusher;
import dev.kritis.webhook.Fixtures.Client;
import dev.kritis.webhook.Fixtures.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook wired to a real registry (Debian's docker-registry, TLS + basic auth): tags are
 * resolved there, cosign-format signatures are read there, /mutate pins what was verified, and a
 * registry that is gone denies within the deadline while health checks keep answering.
 */
class RegistryWebhookIT {
  private static final String USER = "puller";
  private static final String PASSWORD = "pull-s3cret";

  @TempDir static Path tmp;
  private static DockerRegistryServer registry;
  private static Path policies;
  private static RegistryClient registries;
  private static String signedDigest;

  @BeforeAll
  static void start() throws Exception {
    registry = DockerRegistryServer.startTls(USER, PASSWORD);
    ImagePusher pusher = registry.pusher();
    TestKey key = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
    signedDigest = pusher.pushImage("team/app", "v1", "signed", true);
    pusher.pushCosignSignature("team/app", signedDigest, registry.hostPort() + "/team/app", key);
    pusher.pushImage("team/app", "v2", "unsigned", true);
    policies = Files.createDirectories(tmp.resolve("policies"));
    Files.writeString(policies.resolve("p.yaml"), Manifests.documents(
        Manifests.seedAuthority("prod", "ci", null, key, null),
        Manifests.policy("prod", "gap", List.of("ci"), List.of())));
    Path config = tmp.resolve("config.json");
    registry.writeDockerConfig(config);
    registries = RegistryClient.builder().caBundle(registry.caBundle()).dockerConfig(config)
        .requestTimeout(Duration.ofSeconds(2)).build();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private static WebhookServer server() throws Exception {
    WebhookServer.Builder builder = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(policies).digestResolver(registries.digestResolver(), Duration.ofSeconds(30))
        .deadline(Duration.ofSeconds(3));
    registries.registrySources().forEach(builder::addAttestationSource);
    return builder.start();
  }

  @Test
  void signedTag_isAdmittedAndPinnedToTheVerifiedDigest() throws Exception {
    String image = registry.hostPort() + "/team/app:v1";
    try (WebhookServer server = server()) {
      JsonNode response = new Client(server.port()).post("/mutate",
          Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "app", image))).response();
      assertThat(response.get("allowed").asBoolean()).as(response.toString()).isTrue();
      JsonNode patch = Fixtures.JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
      assertThat(patch.get(0).get("value").asText()).isEqualTo(image + "@" + signedDigest);
    }
  }

  @Test
  void unsignedTag_isDeniedWithTheExactMessage() throws Exception {
    String image = registry.hostPort() + "/team/app:v2";
    try (WebhookServer server = server()) {
      JsonNode response = new Client(server.port()).post("/validate",
          Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "app", image))).response();
      assertThat(response.get("allowed").asBoolean()).isFalse();
      assertThat(response.get("status").get("code").asInt()).isEqualTo(403);
      assertThat(response.get("status").get("message").asText()).isEqualTo("image " + image + " is not attested");
    }
  }

  @Test
  void registryThatNeverAnswers_deniesWithinTheDeadlineAndHealthKeepsAnswering() throws Exception {
    // A listening socket that accepts and never answers: the worst kind of registry outage.
    try (java.net.ServerSocket blackHole = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        WebhookServer server = server()) {
      String image = "127.0.0.1:" + blackHole.getLocalPort() + "/team/app:v1";
      Client client = new Client(server.port());
      long start = System.nanoTime();
      JsonNode response = client.post("/validate",
          Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "app", image))).response();
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(response.get("allowed").asBoolean()).isFalse();
      assertThat(response.get("status").get("message").asText()).isEqualTo("image " + image + " is not attested");
      assertThat(millis).as("answered within the 3 s deadline plus slack").isLessThan(6_000);
      assertThat(client.get("/healthz").status).isEqualTo(200);
    }
  }
}
