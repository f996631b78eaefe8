package dev.kritis.webhook;

import static dev.kritis.webhook.Fixtures.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kritis.core.attestation.OccurrenceDirectorySource;
import dev.kritis.webhook.Fixtures.Client;
import dev.kritis.webhook.Fixtures.Kind;
import dev.kritis.webhook.Fixtures.Trust;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies from the Kubernetes API (fabric8's mock API server in CRUD mode): objects created,
 * changed and deleted change decisions without a restart; a bad object leaves the last good set.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesPolicyFeedIT {
  static KubernetesClient client;
  static KubernetesMockServer server;

  static final String SIGNED = "nginx@" + digest("nginx");
  static final String UNSIGNED = "busybox@" + digest("busybox");

  @TempDir
  Path tmp;

  static ResourceDefinitionContext context(String kind, String plural, boolean namespaced) {
    return new ResourceDefinitionContext.Builder().withGroup("kritis.grafeas.io").withVersion("v1beta1")
        .withKind(kind).withPlural(plural).withNamespaced(namespaced).build();
  }

  static final ResourceDefinitionContext AUTHORITIES = context("AttestationAuthority", "attestationauthorities", true);
  static final ResourceDefinitionContext POLICIES = context("GenericAttestationPolicy", "genericattestationpolicies", true);
  static final ResourceDefinitionContext ALLOWLISTS = context("AdmissionAllowlist", "admissionallowlists", false);

  static void apply(ResourceDefinitionContext ctx, String yaml) {
    GenericKubernetesResource object = client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    if (ctx.isNamespaceScoped()) {
      client.genericKubernetesResources(ctx).inNamespace(object.getMetadata().getNamespace()).resource(object)
          .createOr(NonDeletingOperation::update);
    } else {
      client.genericKubernetesResources(ctx).resource(object).createOr(NonDeletingOperation::update);
    }
  }

  static boolean allowed(Client webhook, String image) {
    JsonNode response = webhook.post("/validate",
        Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", image))).response();
    return response.get("allowed").asBoolean();
  }

  static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("not within 15 s: " + what);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void apiObjects_changeDecisionsWithoutRestart_andABadObjectKeepsTheLastGoodSet() throws Exception {
    // The CRDs exactly as deploy/ installs them.
    String crds = Files.readString(DeployManifestsTest.DEPLOY.resolve("01-crds.yaml"));
    for (HasMetadata crd : client.load(new java.io.ByteArrayInputStream(crds.getBytes(java.nio.charset.StandardCharsets.UTF_8))).items()) {
      client.apiextensions().v1().customResourceDefinitions().resource((CustomResourceDefinition) crd).create();
    }
    Trust trust = new Trust(tmp); // keys and occurrences only; policies come from the API
    trust.sign("docker.io/library/nginx", digest("nginx"));

    try (WebhookServer webhook = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .kubernetes(client).addAttestationSource(OccurrenceDirectorySource.load(trust.attestations)).start()) {
      Client http = new Client(webhook.port());
      eventually("ready", () -> http.get("/readyz").status == 200);
      assertThat(allowed(http, UNSIGNED)).as("no policy yet").isTrue();

      // Protect prod.
      String[] documents = Trust.policy("prod", trust.key).split("---\n");
      apply(AUTHORITIES, documents[0]);
      apply(POLICIES, documents[1]);
      eventually("prod protected", () -> !allowed(http, UNSIGNED));
      assertThat(allowed(http, SIGNED)).isTrue();

      // A cluster-wide allowlist (cluster-scoped kind).
      apply(ALLOWLISTS, "apiVersion: kritis.grafeas.io/v1beta1\nkind: AdmissionAllowlist\nmetadata: {name: tools}\n"
          + "spec:\n  patterns:\n  - namePattern: busybox@*\n");
      eventually("busybox allowlisted", () -> allowed(http, UNSIGNED));

      // A bad object: rejected, reported at /readyz, the last good set stays in force.
      apply(AUTHORITIES, documents[0].replaceAll("publicKeyData: .*", "publicKeyData: bm90IGEga2V5"));
      eventually("rejection reported", () -> http.get("/readyz").body.contains("last reload rejected"));
      assertThat(http.get("/readyz").body).contains("kubernetes:AttestationAuthority/prod/qa").contains("publicKeyData");
      assertThat(http.get("/readyz").status).isEqualTo(200);
      assertThat(allowed(http, SIGNED)).isTrue();
      assertThat(allowed(http, UNSIGNED)).isTrue();
      assertThat(allowed(http, "alpine@" + digest("alpine"))).isFalse();

      // Fixed, then the allowlist deleted: busybox is checked again.
      apply(AUTHORITIES, documents[0]);
      eventually("rejection cleared", () -> !http.get("/readyz").body.contains("rejected"));
      client.genericKubernetesResources(ALLOWLISTS).withName("tools").delete();
      eventually("allowlist gone", () -> !allowed(http, UNSIGNED));

      // Policy deleted: prod is open again.
      client.genericKubernetesResources(POLICIES).inNamespace("prod").withName("require-qa").delete();
      eventually("prod unprotected", () -> allowed(http, UNSIGNED));
    }
  }
}
