package dev.kritis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kritis.webhook.Fixtures.Client;
import dev.kritis.webhook.Fixtures.Kind;
import dev.kritis.webhook.Fixtures.Reply;
import dev.kritis.webhook.Fixtures.Trust;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bodies that are not well-formed AdmissionReviews get 400 with a reason; big ones 413; never a stack trace. */
class MalformedRequestIT {
  static final int MAX_BODY = 64 * 1024;
  @TempDir
  static Path tmp;
  static WebhookServer server;
  static Client client;

  @BeforeAll
  static void start() throws Exception {
    Trust trust = new Trust(tmp, "prod");
    server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies).maxBody(MAX_BODY).start();
    client = new Client(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not JSON                 | hello                                                      | not a JSON AdmissionReview",
      "truncated JSON           | {\"apiVersion\":\"admission.k8s.io/v1\",                   | not a JSON AdmissionReview",
      "trailing garbage         | {\"apiVersion\":\"admission.k8s.io/v1\"} x                 | not a JSON AdmissionReview",
      "empty body               | ''                                                         | expected an AdmissionReview object, got nothing",
      "array                    | []                                                         | expected an AdmissionReview object, got an array",
      "no apiVersion            | {\"kind\":\"AdmissionReview\"}                             | field \"apiVersion\" is missing",
      "other apiVersion         | {\"apiVersion\":\"v1\",\"kind\":\"AdmissionReview\"}       | apiVersion \"v1\" is not supported",
      "other kind               | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\"}  | kind \"Pod\" is not AdmissionReview",
      "no request               | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"} | field \"request\" must be an object, got nothing",
      "request is a string      | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":\"x\"} | field \"request\" must be an object, got a string",
      "no uid                   | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}} | field \"request.uid\" is missing",
      "uid is a number          | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":7}} | field \"request.uid\" must be a string, got a number",
      "empty uid                | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"\"}} | field \"request.uid\" is empty",
      "kind is a string         | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":\"Pod\"}} | field \"request.kind\" must be an object",
      "no operation             | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"}}} | field \"request.operation\" is missing",
      "object is an array       | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"object\":[]}} | field \"request.object\" must be an object, got an array",
      "no object on CREATE      | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"namespace\":\"prod\"}} | field \"request.object\" is missing",
      "containers not an array  | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"namespace\":\"prod\",\"object\":{\"spec\":{\"containers\":{}}}}} | field \"request.object.spec.containers\" must be an array, got an object",
      "image is a number        | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"namespace\":\"prod\",\"object\":{\"spec\":{\"containers\":[{\"image\":5}]}}}} | field \"request.object.spec.containers[0].image\" must be a string, got a number",
      "annotations not a map    | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"namespace\":\"prod\",\"object\":{\"metadata\":{\"annotations\":[]},\"spec\":{}}}} | field \"request.object.metadata.annotations\" must be an object",
      "no namespace anywhere    | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"object\":{\"spec\":{\"containers\":[{\"image\":\"alpine:3.11\"}]}}}} | field \"request.namespace\" is missing for Pod",
      "dryRun is a string       | {\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"dryRun\":\"no\"}} | field \"request.dryRun\" must be a boolean",
  })
  void malformedBody_is400_withAReason(String name, String body, String reason) {
    Reply reply = client.post("/validate", body.getBytes(StandardCharsets.UTF_8));
    assertThat(reply.status).as(reply.body).isEqualTo(400);
    assertThat(reply.body).contains(reason).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(reply.headers.get("content-type").get(0)).startsWith("text/plain");
  }

  @Test
  void bodyOverTheLimit_is413() {
    byte[] big = new byte[MAX_BODY + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    Reply reply = client.post("/validate", big);
    assertThat(reply.status).isEqualTo(413);
    assertThat(reply.body).contains("exceeds the limit of " + MAX_BODY + " bytes");
  }

  @Test
  void chunkedBodyOverTheLimit_is413() {
    byte[] chunk = new byte[8192];
    java.util.Arrays.fill(chunk, (byte) ' ');
    // No length known up front: the limit is enforced while reading.
    HttpRequest.BodyPublisher chunked = new HttpRequest.BodyPublisher() {
      final HttpRequest.BodyPublisher inner = HttpRequest.BodyPublishers.ofByteArrays(
          java.util.Collections.nCopies(MAX_BODY / chunk.length + 4, chunk));

      @Override
      public long contentLength() {
        return -1;
      }

      @Override
      public void subscribe(Flow.Subscriber<? super java.nio.ByteBuffer> subscriber) {
        inner.subscribe(subscriber);
      }
    };
    Reply reply = client.send(HttpRequest.newBuilder(client.uri("/validate")).POST(chunked).build());
    assertThat(reply.status).isEqualTo(413);
  }

  @Test
  void bodyJustUnderTheLimit_isReviewed() {
    String review = Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", "alpine:3.11")).toString();
    StringBuilder padded = new StringBuilder(review);
    while (padded.length() < MAX_BODY) {
      padded.append(' ');
    }
    Reply reply = client.post("/validate", padded.toString().getBytes(StandardCharsets.UTF_8));
    assertThat(reply.status).isEqualTo(200);
    assertThat(reply.response().get("allowed").asBoolean()).isFalse();
  }

  @Test
  void serverKeepsAnsweringAfterBadRequests() {
    client.post("/validate", "{".getBytes(StandardCharsets.UTF_8));
    assertThat(client.get("/healthz").status).isEqualTo(200);
    assertThat(client.get("/metrics").body).contains("kritis_admission_malformed_requests_total");
  }
}
