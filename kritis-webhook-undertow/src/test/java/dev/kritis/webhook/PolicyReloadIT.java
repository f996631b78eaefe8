package dev.kritis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kritis.webhook.Fixtures.Client;
import dev.kritis.webhook.Fixtures.Kind;
import dev.kritis.webhook.Fixtures.Trust;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy files are reloaded when they change; a bad file leaves the last good set in force. */
class PolicyReloadIT {
  @TempDir
  Path tmp;

  static boolean allowed(Client client, String namespace) {
    JsonNode response = client.post("/validate",
        Fixtures.review(Kind.DEPLOYMENT, namespace, Fixtures.workload(Kind.DEPLOYMENT, "web", "alpine:3.11"))).response();
    return response.get("allowed").asBoolean();
  }

  static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void changedFiles_changeDecisionsWithoutRestart_andABadFileKeepsTheLastGoodSet() throws Exception {
    Trust trust = new Trust(tmp, "prod");
    try (WebhookServer server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies).policyPollInterval(Duration.ofMillis(50)).start()) {
      Client client = new Client(server.port());
      assertThat(allowed(client, "prod")).isFalse();
      assertThat(allowed(client, "staging")).isTrue();

      // Protect another namespace.
      Files.writeString(trust.policies.resolve("staging.yaml"), Trust.policy("staging", trust.key));
      eventually("staging protected", () -> !allowed(client, "staging"));

      // A broken file: rejected, reported, and the previous set stays in force.
      Files.writeString(trust.policies.resolve("prod.yaml"), "apiVersion: kritis.grafeas.io/v1beta1\n"
          + "kind: GenericAttestationPolicy\nmetadata: {name: require-qa, namespace: prod}\nspec: {attestationAuthorityNames: qa}\n");
      eventually("rejection reported", () -> client.get("/readyz").body.contains("last reload rejected"));
      var readyz = client.get("/readyz");
      assertThat(readyz.status).as("still ready: a good set is in force").isEqualTo(200);
      assertThat(readyz.body).contains("prod.yaml").contains("attestationAuthorityNames");
      assertThat(allowed(client, "prod")).isFalse();
      assertThat(allowed(client, "staging")).isFalse();
      assertThat(client.get("/metrics").body).containsPattern("kritis_policy_reload_failures_total [1-9]");

      // Fixed by deleting it: prod is no longer protected.
      Files.delete(trust.policies.resolve("prod.yaml"));
      eventually("prod unprotected", () -> allowed(client, "prod"));
      assertThat(client.get("/readyz").body).doesNotContain("rejected");
    }
  }

  @Test
  void badPolicyAtStart_isNotReady_andDenies() throws Exception {
    Path policies = Files.createDirectories(tmp.resolve("policies"));
    Files.writeString(policies.resolve("bad.yaml"), "apiVersion: kritis.grafeas.io/v1beta1\nkind: ImageSecurityPolicy\n"
        + "metadata: {name: x, namespace: prod}\nspec: {}\n");
    try (WebhookServer server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(policies).policyPollInterval(Duration.ofMillis(50)).start()) {
      Client client = new Client(server.port());
      var readyz = client.get("/readyz");
      assertThat(readyz.status).isEqualTo(503);
      assertThat(readyz.body).startsWith("not ready: no valid policy set yet:").contains("bad.yaml").contains("ImageSecurityPolicy");
      JsonNode response = client.post("/validate",
          Fixtures.review(Kind.DEPLOYMENT, "sandbox", Fixtures.workload(Kind.DEPLOYMENT, "web", "alpine:3.11"))).response();
      assertThat(response.get("allowed").asBoolean()).as("fail closed before any policy is in force").isFalse();
      assertThat(response.get("warnings").get(0).asText()).contains("no policy set has been loaded");

      Files.delete(policies.resolve("bad.yaml"));
      eventually("ready", () -> client.get("/readyz").status == 200);
      assertThat(allowed(client, "sandbox")).isTrue();
    }
  }
}
