package dev.kritis.webhook;

import static dev.kritis.webhook.Fixtures.annotate;
import static dev.kritis.webhook.Fixtures.digest;
import static dev.kritis.webhook.Fixtures.review;
import static dev.kritis.webhook.Fixtures.withInitContainer;
import static dev.kritis.webhook.Fixtures.workload;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kritis.core.attestation.OccurrenceDirectorySource;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.webhook.Fixtures.Client;
import dev.kritis.webhook.Fixtures.Kind;
import dev.kritis.webhook.Fixtures.Reply;
import dev.kritis.webhook.Fixtures.Trust;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real server on a loopback port with a self-signed certificate, fed AdmissionReviews built
 * from real kubectl output, for every reviewed kind.
 */
class WebhookEndToEndIT {
  static final String NS = "prod";
  static final String SIGNED = "nginx@" + digest("nginx");
  static final String SIGNED_OTHER_REGISTRY = "registry.example.com/team/app:2.3.1@" + digest("app");
  static final String UNSIGNED_TAG = "alpine:3.11";
  static final String UNSIGNED_DIGEST = "busybox@" + digest("busybox");
  static final String SELF = "registry.example.com/kritis/webhook@" + digest("kritis");

  @TempDir
  static Path tmp;
  static WebhookServer server;
  static Client client;

  @BeforeAll
  static void start() throws Exception {
    Trust trust = new Trust(tmp, NS);
    trust.sign("docker.io/library/nginx", digest("nginx"));
    trust.sign("registry.example.com/team/app", digest("app"));
    server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies)
        .addAttestationSource(OccurrenceDirectorySource.load(trust.attestations))
        .exemptNamespace("kube-system")
        .selfImage(ImageReference.parse(SELF))
        .start();
    client = new Client(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static JsonNode validate(JsonNode review) {
    Reply reply = client.post("/validate", review);
    assertThat(reply.status).as(reply.body).isEqualTo(200);
    JsonNode json = reply.json();
    assertThat(json.get("apiVersion").asText()).isEqualTo(review.get("apiVersion").asText());
    assertThat(json.get("kind").asText()).isEqualTo("AdmissionReview");
    assertThat(json.get("response").get("uid").asText()).isEqualTo(review.get("request").get("uid").asText());
    return json.get("response");
  }

  static void assertDenied(JsonNode response, String message) {
    assertThat(response.get("allowed").asBoolean()).as(response.toString()).isFalse();
    assertThat(response.get("status").get("code").asInt()).isEqualTo(403);
    assertThat(response.get("status").get("message").asText()).isEqualTo(message);
  }

  static void assertAllowed(JsonNode response) {
    assertThat(response.get("allowed").asBoolean()).as(response.toString()).isTrue();
    assertThat(response.has("status")).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void unsignedImage_isDenied_withTheExactMessage(Kind kind) {
    JsonNode response = validate(review(kind, NS, workload(kind, "web", UNSIGNED_TAG)));
    assertDenied(response, "image alpine:3.11 is not attested");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void signedByDigest_isAllowed(Kind kind) {
    JsonNode response = validate(review(kind, NS, workload(kind, "web", SIGNED, SIGNED_OTHER_REGISTRY)));
    assertAllowed(response);
    assertThat(response.has("warnings")).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void breakglassAnnotation_isAllowed_withAWarning(Kind kind) {
    ObjectNode object = annotate(workload(kind, "web", UNSIGNED_TAG), "kritis.grafeas.io/breakglass", "true");
    JsonNode response = validate(review(kind, NS, object));
    assertAllowed(response);
    assertThat(response.get("warnings").get(0).asText()).contains("breakglass");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void unsignedInitContainer_besideSignedContainer_isDenied(Kind kind) {
    ObjectNode object = withInitContainer(kind, workload(kind, "web", SIGNED), UNSIGNED_DIGEST);
    assertDenied(validate(review(kind, NS, object)), "image " + UNSIGNED_DIGEST + " is not attested");
  }

  @ParameterizedTest
  @EnumSource(value = Kind.class, names = {"DEPLOYMENT", "CRON_JOB"})
  void breakglassOnThePodTemplate_isAllowed(Kind kind) {
    ObjectNode object = workload(kind, "web", UNSIGNED_TAG);
    ObjectNode template = (ObjectNode) (kind == Kind.CRON_JOB
        ? object.get("spec").get("jobTemplate").get("spec").get("template") : object.get("spec").get("template"));
    annotate(template, "kritis.grafeas.io/breakglass", "true");
    assertAllowed(validate(review(kind, NS, object)));
  }

  @Test
  void breakglassOtherThanTrue_isIgnored() {
    ObjectNode object = annotate(workload(Kind.DEPLOYMENT, "web", UNSIGNED_TAG), "kritis.grafeas.io/breakglass", "yes");
    assertDenied(validate(review(Kind.DEPLOYMENT, NS, object)), "image alpine:3.11 is not attested");
  }

  @Test
  void severalDeniedImages_areJoinedInOrder_identicalOnesOnce() {
    ObjectNode object = workload(Kind.DEPLOYMENT, "web", UNSIGNED_TAG, SIGNED, UNSIGNED_DIGEST, UNSIGNED_TAG);
    assertDenied(validate(review(Kind.DEPLOYMENT, NS, object)),
        "image alpine:3.11 is not attested; image " + UNSIGNED_DIGEST + " is not attested");
  }

  @Test
  void v1beta1Review_isAnsweredAsV1beta1() {
    ObjectNode denied = review(AdmissionRequest.V1BETA1, Kind.DEPLOYMENT, NS, "CREATE", workload(Kind.DEPLOYMENT, "web", UNSIGNED_TAG));
    assertDenied(validate(denied), "image alpine:3.11 is not attested");
    ObjectNode allowed = review(AdmissionRequest.V1BETA1, Kind.DEPLOYMENT, NS, "CREATE", workload(Kind.DEPLOYMENT, "web", SIGNED));
    assertAllowed(validate(allowed));
  }

  @Test
  void update_isReviewed() {
    ObjectNode review = review(AdmissionRequest.V1, Kind.DEPLOYMENT, NS, "UPDATE", workload(Kind.DEPLOYMENT, "web", UNSIGNED_TAG));
    assertDenied(validate(review), "image alpine:3.11 is not attested");
  }

  @Test
  void ephemeralContainersSubresource_isReviewed() {
    ObjectNode pod = workload(Kind.POD, "debug-me", SIGNED);
    pod.withObjectProperty("spec").withArrayProperty("ephemeralContainers").addObject()
        .put("name", "debugger").put("image", UNSIGNED_DIGEST).put("targetContainerName", "debug-me");
    ObjectNode review = review(AdmissionRequest.V1, Kind.POD, NS, "UPDATE", pod);
    ((ObjectNode) review.get("request")).put("subResource", "ephemeralcontainers");
    assertDenied(validate(review), "image " + UNSIGNED_DIGEST + " is not attested");
  }

  @Test
  void otherSubresourcesKindsAndOperations_areAllowedUntouched() {
    ObjectNode status = review(AdmissionRequest.V1, Kind.POD, NS, "UPDATE", workload(Kind.POD, "p", UNSIGNED_TAG));
    ((ObjectNode) status.get("request")).put("subResource", "status");
    assertAllowed(validate(status));

    ObjectNode delete = review(AdmissionRequest.V1, Kind.DEPLOYMENT, NS, "DELETE", workload(Kind.DEPLOYMENT, "web", UNSIGNED_TAG));
    ((ObjectNode) delete.get("request")).putNull("object");
    assertAllowed(validate(delete));

    ObjectNode configMap = Fixtures.kubectl("create", "configmap", "settings", "--from-literal=image=alpine:3.11");
    ObjectNode review = review(AdmissionRequest.V1, Kind.POD, NS, "CREATE", configMap);
    ((ObjectNode) review.get("request").get("kind")).put("kind", "ConfigMap");
    assertAllowed(validate(review));

    // A custom resource that happens to be called Deployment is not a pod controller.
    ObjectNode custom = review(Kind.DEPLOYMENT, NS, workload(Kind.DEPLOYMENT, "web", UNSIGNED_TAG));
    ((ObjectNode) custom.get("request").get("kind")).put("group", "example.com");
    assertAllowed(validate(custom));
  }

  @Test
  void exemptNamespace_isAllowed() {
    assertAllowed(validate(review(Kind.DEPLOYMENT, "kube-system", workload(Kind.DEPLOYMENT, "web", UNSIGNED_TAG))));
  }

  @Test
  void namespaceWithoutPolicy_isAllowed() {
    assertAllowed(validate(review(Kind.DEPLOYMENT, "sandbox", workload(Kind.DEPLOYMENT, "web", UNSIGNED_TAG))));
  }

  @Test
  void ownImage_isAllowed() {
    assertAllowed(validate(review(Kind.DEPLOYMENT, NS, workload(Kind.DEPLOYMENT, "kritis", SELF))));
  }

  @Test
  void mutate_withoutDigestResolver_allowsWithoutPatch_andDeniesLikeValidate() {
    Reply allowed = client.post("/mutate", review(Kind.DEPLOYMENT, NS, workload(Kind.DEPLOYMENT, "web", SIGNED)));
    assertThat(allowed.status).isEqualTo(200);
    assertAllowed(allowed.response());
    assertThat(allowed.response().has("patch")).isFalse();
    assertThat(allowed.response().has("patchType")).isFalse();

    Reply denied = client.post("/mutate", review(Kind.DEPLOYMENT, NS, workload(Kind.DEPLOYMENT, "web", UNSIGNED_TAG)));
    assertDenied(denied.response(), "image alpine:3.11 is not attested");
  }

  @Test
  void healthReadinessAndMetrics_answer() {
    assertThat(client.get("/healthz").status).isEqualTo(200);
    Reply ready = client.get("/readyz");
    assertThat(ready.status).isEqualTo(200);
    assertThat(ready.body).startsWith("ready: PolicySet(");
    validate(review(Kind.DEPLOYMENT, NS, workload(Kind.DEPLOYMENT, "web", UNSIGNED_TAG)));
    Reply metrics = client.get("/metrics");
    assertThat(metrics.status).isEqualTo(200);
    assertThat(metrics.body)
        .contains("kritis_admission_decisions_total{result=\"denied\"}")
        .contains("kritis_admission_duration_seconds_bucket")
        .contains("kritis_verification_cache_total{outcome=\"hit\"}")
        .contains("kritis_verification_errors_total{cause=\"source\"}");
  }

  @Test
  void unknownPathsAndMethods_are404And405() {
    assertThat(client.get("/nope").status).isEqualTo(404);
    assertThat(client.get("/validate").status).isEqualTo(405);
  }
}
