package dev.kritis.webhook;

import static dev.kritis.webhook.Fixtures.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.attestation.AttestationSource;
import dev.kritis.core.attestation.AttestationSourceException;
import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.webhook.Fixtures.Client;
import dev.kritis.webhook.Fixtures.Kind;
import dev.kritis.webhook.Fixtures.Reply;
import dev.kritis.webhook.Fixtures.Trust;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A slow or broken attestation source: admissions are denied within the deadline, health keeps answering. */
class FaultToleranceIT {
  static final String IMAGE = "nginx@" + digest("nginx");
  static final Duration DEADLINE = Duration.ofMillis(700);

  @TempDir
  Path tmp;

  /** Ignores the deadline it is given and hangs: the worst a remote source can do. */
  static final class HangingSource implements AttestationSource {
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public List<Attestation> attestationsFor(ImageReference image, AttestationAuthority authority, Instant deadline) {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return List.of();
    }

    @Override
    public String describe() {
      return "hanging test source";
    }
  }

  static final class BrokenSource implements AttestationSource {
    @Override
    public List<Attestation> attestationsFor(ImageReference image, AttestationAuthority authority, Instant deadline)
        throws AttestationSourceException {
      throw new AttestationSourceException("registry.example.com: connection refused");
    }

    @Override
    public String describe() {
      return "broken test source";
    }
  }

  private WebhookServer start(AttestationSource source, boolean failOpen) throws Exception {
    Trust trust = new Trust(tmp, "prod");
    return WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies).addAttestationSource(source).deadline(DEADLINE).failOpen(failOpen).start();
  }

  @Test
  void hangingSource_isDeniedWithinTheDeadline_andHealthKeepsAnswering() throws Exception {
    HangingSource source = new HangingSource();
    Duration deadline = Duration.ofMillis(1500);
    Trust trust = new Trust(tmp, "prod");
    ExecutorService callers = Executors.newFixedThreadPool(24);
    try (WebhookServer server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies).addAttestationSource(source).deadline(deadline).start()) {
      Client client = new Client(server.port());
      List<byte[]> bodies = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        String image = "nginx@" + digest("nginx-" + i);
        bodies.add(Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", image))
            .toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      // More concurrent reviews than Undertow has workers (16 on this machine): all of them stuck.
      List<Future<Reply>> replies = new ArrayList<>();
      long start = System.nanoTime();
      for (byte[] body : bodies) {
        replies.add(callers.submit(() -> client.post("/validate", body)));
      }
      Thread.sleep(300);
      assertThat(client.get("/healthz").status).isEqualTo(200);
      assertThat(client.get("/readyz").status).isEqualTo(200);
      assertThat(replies).as("health answered while reviews were still waiting on the source").anyMatch(f -> !f.isDone());
      for (Future<Reply> f : replies) {
        Reply reply = f.get(30, TimeUnit.SECONDS);
        assertThat(reply.status).isEqualTo(200);
        JsonNode response = reply.response();
        assertThat(response.get("allowed").asBoolean()).isFalse();
        assertThat(response.get("status").get("message").asText()).matches("image nginx@sha256:[0-9a-f]{64} is not attested");
        assertThat(response.get("warnings").get(0).asText()).contains("verification timed out");
      }
      // Bounded by the deadline (and waves through the worker pool), not by the source.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
      assertThat(client.get("/metrics").body).containsPattern("kritis_verification_errors_total\\{cause=\"timeout\"} [1-9]");
    } finally {
      source.release.countDown();
      callers.shutdownNow();
    }
  }

  @Test
  void oneReview_answersJustAfterTheDeadline() throws Exception {
    HangingSource source = new HangingSource();
    try (WebhookServer server = start(source, false)) {
      Client client = new Client(server.port());
      long start = System.nanoTime();
      Reply reply = client.post("/validate", Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", IMAGE)));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(reply.response().get("allowed").asBoolean()).isFalse();
      assertThat(took).isGreaterThanOrEqualTo(DEADLINE.minusMillis(50)).isLessThan(DEADLINE.plusSeconds(2));
      source.release.countDown();
    }
  }

  @Test
  void brokenSource_isDenied_andCountedAsError() throws Exception {
    try (WebhookServer server = start(new BrokenSource(), false)) {
      Client client = new Client(server.port());
      JsonNode response = client.post("/validate",
          Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", IMAGE))).response();
      assertThat(response.get("allowed").asBoolean()).isFalse();
      assertThat(response.get("status").get("message").asText()).isEqualTo("image " + IMAGE + " is not attested");
      assertThat(response.get("warnings").get(0).asText()).contains("connection refused");
      assertThat(client.get("/metrics").body).contains("kritis_admission_decisions_total{result=\"error\"} 1.0");
    }
  }

  @Test
  void failOpen_admitsWhenVerificationCannotFinish_withAWarning() throws Exception {
    HangingSource source = new HangingSource();
    try (WebhookServer server = start(source, true)) {
      Client client = new Client(server.port());
      JsonNode response = client.post("/validate",
          Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", IMAGE))).response();
      assertThat(response.get("allowed").asBoolean()).isTrue();
      assertThat(response.get("warnings").get(0).asText()).startsWith("fail-open: image " + IMAGE);
      // fail-open concerns errors only: an image that is simply not attested is still denied.
      JsonNode denied = client.post("/validate",
          Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", "alpine:3.11"))).response();
      assertThat(denied.get("allowed").asBoolean()).isFalse();
      source.release.countDown();
    }
  }

  @Test
  void failOpen_stillDeniesATagTheRegistrySaysDoesNotExist() throws Exception {
    // Admitting it would let someone push the tag after admission and run an unverified image.
    Trust trust = new Trust(tmp, "prod");
    dev.kritis.core.reference.DigestResolver unknownTags = (reference, deadline) -> {
      throw new dev.kritis.core.reference.DigestResolver.DigestResolutionException(
          reference.registry() + ": manifest unknown", null, true);
    };
    try (WebhookServer server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies).addAttestationSource(new BrokenSource())
        .digestResolver(unknownTags, Duration.ofSeconds(30)).deadline(DEADLINE).failOpen(true).start()) {
      JsonNode response = new Client(server.port()).post("/validate",
          Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", "nginx:not-pushed-yet"))).response();
      assertThat(response.get("allowed").asBoolean()).as(response.toString()).isFalse();
      assertThat(response.get("status").get("message").asText()).isEqualTo("image nginx:not-pushed-yet is not attested");
    }
  }
}
