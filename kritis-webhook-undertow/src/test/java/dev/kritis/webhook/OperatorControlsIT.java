package dev.kritis.webhook;

import static dev.kritis.webhook.Fixtures.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.attestation.AttestationSource;
import dev.kritis.core.attestation.AttestationSourceException;
import dev.kritis.core.attestation.OccurrenceDirectorySource;
import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.DigestResolver;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.webhook.Fixtures.Client;
import dev.kritis.webhook.Fixtures.Kind;
import dev.kritis.webhook.Fixtures.Trust;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dry run, tag pinning on /mutate, and the cache: the warm path does not verify again. */
class OperatorControlsIT {
  static final String NGINX_DIGEST = digest("nginx");

  @TempDir
  Path tmp;

  /** Counts calls, then delegates. */
  static final class CountingSource implements AttestationSource {
    final AttestationSource delegate;
    final AtomicInteger calls = new AtomicInteger();

    CountingSource(AttestationSource delegate) {
      this.delegate = delegate;
    }

    @Override
    public List<Attestation> attestationsFor(ImageReference image, AttestationAuthority authority, Instant deadline)
        throws AttestationSourceException {
      calls.incrementAndGet();
      return delegate.attestationsFor(image, authority, deadline);
    }

    @Override
    public String describe() {
      return "counting " + delegate.describe();
    }
  }

  /** Resolves nginx tags to the signed digest; anything else is unknown. */
  static final class FakeResolver implements DigestResolver {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public Digest resolve(ImageReference reference, Instant deadline) throws DigestResolutionException {
      calls.incrementAndGet();
      if (reference.repository().equals("docker.io/library/nginx")) {
        try {
          return Digest.parse(NGINX_DIGEST);
        } catch (Exception e) {
          throw new DigestResolutionException("bad test digest", e);
        }
      }
      throw new DigestResolutionException(reference.registry() + ": manifest unknown for " + reference);
    }
  }

  private Trust signedNginx() throws Exception {
    Trust trust = new Trust(tmp, "prod");
    trust.sign("docker.io/library/nginx", NGINX_DIGEST);
    return trust;
  }

  @Test
  void dryRun_admitsWhatItWouldDeny_andSaysSoInAWarning() throws Exception {
    Trust trust = signedNginx();
    try (WebhookServer server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies).addAttestationSource(OccurrenceDirectorySource.load(trust.attestations))
        .dryRun(true).start()) {
      Client client = new Client(server.port());
      JsonNode response = client.post("/validate",
          Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", "alpine:3.11"))).response();
      assertThat(response.get("allowed").asBoolean()).isTrue();
      assertThat(response.get("warnings").get(0).asText())
          .isEqualTo("dry run: kritis would deny this request: image alpine:3.11 is not attested");
      // Counted as what it would have been.
      assertThat(client.get("/metrics").body).contains("kritis_admission_decisions_total{result=\"denied\"} 1.0");
    }
  }

  @Test
  void mutate_pinsAllowedTagsToTheVerifiedDigest() throws Exception {
    Trust trust = signedNginx();
    FakeResolver resolver = new FakeResolver();
    try (WebhookServer server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies).addAttestationSource(OccurrenceDirectorySource.load(trust.attestations))
        .digestResolver(resolver, Duration.ofSeconds(30)).start()) {
      Client client = new Client(server.port());
      var object = Fixtures.workload(Kind.DEPLOYMENT, "web", "nginx:1.27", "nginx@" + NGINX_DIGEST);
      Fixtures.withInitContainer(Kind.DEPLOYMENT, object, "nginx");
      JsonNode response = client.post("/mutate", Fixtures.review(Kind.DEPLOYMENT, "prod", object)).response();
      assertThat(response.get("allowed").asBoolean()).as(response.toString()).isTrue();
      assertThat(response.get("patchType").asText()).isEqualTo("JSONPatch");
      JsonNode patch = Fixtures.JSON.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
      assertThat(patch.toString()).isEqualTo("[{\"op\":\"replace\",\"path\":\"/spec/template/spec/initContainers/0/image\","
          + "\"value\":\"nginx@" + NGINX_DIGEST + "\"},"
          + "{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"nginx:1.27@" + NGINX_DIGEST + "\"}]");

      // CronJob: the pod spec sits deeper.
      JsonNode cron = client.post("/mutate", Fixtures.review(Kind.CRON_JOB, "prod",
          Fixtures.workload(Kind.CRON_JOB, "nightly", "nginx:1.27"))).response();
      JsonNode cronPatch = Fixtures.JSON.readTree(Base64.getDecoder().decode(cron.get("patch").asText()));
      assertThat(cronPatch.get(0).get("path").asText()).isEqualTo("/spec/jobTemplate/spec/template/spec/containers/0/image");

      // /validate never patches; an unresolvable tag is denied (resolution failure is an error).
      JsonNode validated = client.post("/validate", Fixtures.review(Kind.DEPLOYMENT, "prod",
          Fixtures.workload(Kind.DEPLOYMENT, "web", "nginx:1.27"))).response();
      assertThat(validated.has("patch")).isFalse();
      JsonNode unknown = client.post("/mutate", Fixtures.review(Kind.DEPLOYMENT, "prod",
          Fixtures.workload(Kind.DEPLOYMENT, "web", "alpine:3.11"))).response();
      assertThat(unknown.get("allowed").asBoolean()).isFalse();
      assertThat(unknown.has("patch")).isFalse();
    }
  }

  @Test
  void mutate_withNothingToPin_hasNoPatch() throws Exception {
    Trust trust = signedNginx();
    try (WebhookServer server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies).addAttestationSource(OccurrenceDirectorySource.load(trust.attestations))
        .digestResolver(new FakeResolver(), Duration.ofSeconds(30)).start()) {
      JsonNode response = new Client(server.port()).post("/mutate", Fixtures.review(Kind.DEPLOYMENT, "sandbox",
          Fixtures.workload(Kind.DEPLOYMENT, "web", "alpine:3.11"))).response();
      assertThat(response.get("allowed").asBoolean()).isTrue();
      assertThat(response.has("patch")).isFalse();
    }
  }

  @Test
  void warmCache_doesNotAskTheSourceAgain_andIdenticalImagesAreVerifiedOnce() throws Exception {
    Trust trust = signedNginx();
    CountingSource source = new CountingSource(OccurrenceDirectorySource.load(trust.attestations));
    try (WebhookServer server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies).addAttestationSource(source).start()) {
      Client client = new Client(server.port());
      String image = "nginx@" + NGINX_DIGEST;
      byte[] body = Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", image, image, image))
          .toString().getBytes(StandardCharsets.UTF_8);
      assertThat(client.post("/validate", body).response().get("allowed").asBoolean()).isTrue();
      assertThat(source.calls.get()).isEqualTo(1);
      for (int i = 0; i < 5; i++) {
        assertThat(client.post("/validate", body).response().get("allowed").asBoolean()).isTrue();
      }
      assertThat(source.calls.get()).isEqualTo(1);
      // Another namespace is another cache entry (policies are per namespace).
      client.post("/validate", Fixtures.review(Kind.DEPLOYMENT, "sandbox", Fixtures.workload(Kind.DEPLOYMENT, "web", image)));
      assertThat(client.get("/metrics").body)
          .contains("kritis_verification_cache_total{outcome=\"hit\"} 5.0")
          .contains("kritis_verification_cache_total{outcome=\"miss\"} 2.0");
    }
  }

  @Test
  void concurrentIdenticalReviews_shareOneVerification() throws Exception {
    Trust trust = signedNginx();
    AttestationSource files = OccurrenceDirectorySource.load(trust.attestations);
    CountingSource slow = new CountingSource(new AttestationSource() {
      @Override
      public List<Attestation> attestationsFor(ImageReference image, AttestationAuthority authority, Instant deadline)
          throws AttestationSourceException {
        try {
          Thread.sleep(300); // a remote source: long enough for the burst to pile up
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return files.attestationsFor(image, authority, deadline);
      }

      @Override
      public String describe() {
        return "slow files";
      }
    });
    java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(12);
    try (WebhookServer server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies).addAttestationSource(slow).start()) {
      Client client = new Client(server.port());
      byte[] body = Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", "nginx@" + NGINX_DIGEST))
          .toString().getBytes(StandardCharsets.UTF_8);
      List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 12; i++) {
        results.add(callers.submit(() -> client.post("/validate", body).response().get("allowed").asBoolean()));
      }
      for (var r : results) {
        assertThat(r.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      }
      assertThat(slow.calls.get()).isEqualTo(1);
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void close_letsReviewsInFlightFinish() throws Exception {
    Trust trust = signedNginx();
    AttestationSource files = OccurrenceDirectorySource.load(trust.attestations);
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    AttestationSource slow = new AttestationSource() {
      @Override
      public List<Attestation> attestationsFor(ImageReference image, AttestationAuthority authority, Instant deadline)
          throws AttestationSourceException {
        entered.countDown();
        try {
          Thread.sleep(600);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return files.attestationsFor(image, authority, deadline);
      }

      @Override
      public String describe() {
        return "slow files";
      }
    };
    WebhookServer server = WebhookServer.builder().host("127.0.0.1").port(0).tlsSelfSigned(List.of())
        .addPolicyPath(trust.policies).addAttestationSource(slow).start();
    Client client = new Client(server.port());
    var review = Fixtures.review(Kind.DEPLOYMENT, "prod", Fixtures.workload(Kind.DEPLOYMENT, "web", "nginx@" + NGINX_DIGEST));
    var reply = java.util.concurrent.CompletableFuture.supplyAsync(() -> client.post("/validate", review));
    assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    server.close(); // while the review waits on the source
    var response = reply.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(response.status).isEqualTo(200);
    assertThat(response.response().get("allowed").asBoolean()).isTrue();
  }

  @Test
  void tagOnlyResults_liveNoLongerThanTheResolverTtl() throws Exception {
    VerdictCache cache = new VerdictCache(100, Duration.ofMinutes(10), Duration.ofMillis(200), Duration.ofSeconds(30));
    ImageVerdict tagged = ImageVerdict.allowed("nginx:1.27", "test");
    ImageVerdict pinned = ImageVerdict.allowed("nginx@" + NGINX_DIGEST, "test");
    cache.put("prod", 1, tagged);
    cache.put("prod", 1, pinned);
    cache.put("prod", 1, ImageVerdict.error("busybox:1", "timed out"));
    assertThat(cache.get("prod", "nginx:1.27", 1)).isSameAs(tagged);
    assertThat(cache.get("prod", "nginx:1.27", 2)).as("another policy version").isNull();
    assertThat(cache.get("other", "nginx:1.27", 1)).as("another namespace").isNull();
    assertThat(cache.get("prod", "busybox:1", 1)).as("errors are not cached").isNull();
    Thread.sleep(300);
    assertThat(cache.get("prod", "nginx:1.27", 1)).isNull();
    assertThat(cache.get("prod", "nginx@" + NGINX_DIGEST, 1)).isSameAs(pinned);
  }
}
