package dev.kritis.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.DigestResolver.DigestResolutionException;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.testkit.registry.FakeRegistry;
import dev.kritis.testkit.registry.Fault;
import dev.kritis.testkit.registry.ImagePusher;
import dev.kritis.testkit.registry.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tag → digest resolution against the in-process fake, including its faults. */
class TagResolutionTest {
  private FakeRegistry fake;
  private String digest;
  private ImageReference app;

  @BeforeEach
  void start() throws Exception {
    fake = FakeRegistry.start();
    digest = ImagePusher.to(fake.baseUri(), null).pushImage("team/app", "v1", "tags", true);
    app = ImageReference.parse(fake.hostPort() + "/team/app:v1");
    fake.clearRequests();
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  static RegistryClient.Builder clientFor(FakeRegistry fake) {
    return RegistryClient.builder().insecureRegistry(fake.hostPort())
        .requestTimeout(Duration.ofSeconds(2))
        .retries(4, Duration.ofMillis(10), Duration.ofMillis(50));
  }

  private static Instant in(Duration d) {
    return Instant.now().plus(d);
  }

  @Test
  void resolve_tag_isOneHeadRequestAskingForEveryManifestType() throws Exception {
    Digest resolved = clientFor(fake).build().resolve(app, in(Duration.ofSeconds(5)));
    assertThat(resolved.toString()).isEqualTo(digest);
    assertThat(fake.requests()).hasSize(1);
    RecordedRequest head = fake.requests().get(0);
    assertThat(head.method()).isEqualTo("HEAD");
    assertThat(head.path()).isEqualTo("/v2/team/app/manifests/v1");
    assertThat(head.header("Accept").orElseThrow()).contains(
        "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json");
  }

  @Test
  void resolve_headWithoutDigestHeader_fallsBackToGetAndHashesTheBody() throws Exception {
    fake.fault("HEAD", ".*", Fault.noDigestHeader());
    fake.fault("GET", ".*", Fault.noDigestHeader());
    assertThat(clientFor(fake).build().resolve(app, in(Duration.ofSeconds(5))).toString()).isEqualTo(digest);
    assertThat(fake.requests()).extracting(RecordedRequest::method).containsExactly("HEAD", "GET");
  }

  @Test
  void resolve_getFallbackWithWrongDigestHeader_failsNamingBothDigests() {
    fake.fault("HEAD", ".*", Fault.noDigestHeader());
    fake.fault("GET", ".*", Fault.wrongDigestHeader());
    assertThatThrownBy(() -> clientFor(fake).build().resolve(app, in(Duration.ofSeconds(5))))
        .isInstanceOf(DigestResolutionException.class)
        .hasMessageStartingWith("Tried to fetch the manifest")
        .hasMessageContaining("claims Docker-Content-Digest sha256:")
        .hasMessageContaining("hashes to " + digest);
  }

  @Test
  void resolve_unknownTag_failsWith404NamingTheTag() {
    assertThatThrownBy(() -> clientFor(fake).build().resolve(
        ImageReference.parse(fake.hostPort() + "/team/app:missing"), in(Duration.ofSeconds(5))))
        .isInstanceOf(DigestResolutionException.class)
        .hasMessage("Tried to resolve " + fake.hostPort() + "/team/app:missing to a digest but failed because "
            + fake.baseUri() + "/v2/team/app/manifests/missing answered HTTP 404: the tag does not exist");
  }

  @Test
  void resolve_serverError500_failsWithoutRetrying() {
    fake.fault(null, ".*", Fault.error(500, "UNKNOWN", "boom"));
    assertThatThrownBy(() -> clientFor(fake).build().resolve(app, in(Duration.ofSeconds(5))))
        .isInstanceOf(DigestResolutionException.class)
        .hasMessageEndingWith("answered HTTP 500");
    assertThat(fake.requestCount()).isEqualTo(1);
  }

  @Test
  void resolve_503Twice_retriesAndSucceeds() throws Exception {
    fake.fault(null, ".*", Fault.status(503), 2);
    assertThat(clientFor(fake).build().resolve(app, in(Duration.ofSeconds(5))).toString()).isEqualTo(digest);
    assertThat(fake.requestCount()).isEqualTo(3);
  }

  @Test
  void resolve_502EveryTime_failsAfterTheLastAttemptNamingTheStatus() {
    fake.fault(null, ".*", Fault.status(502));
    assertThatThrownBy(() -> clientFor(fake).build().resolve(app, in(Duration.ofSeconds(5))))
        .isInstanceOf(DigestResolutionException.class).hasMessageContaining("answered HTTP 502");
    assertThat(fake.requestCount()).isEqualTo(4);
  }

  @Test
  void resolve_429WithRetryAfterSeconds_waitsThatLongThenSucceeds() throws Exception {
    fake.fault(null, ".*", Fault.retryAfter(429, "1"), 1);
    long start = System.nanoTime();
    assertThat(clientFor(fake).build().resolve(app, in(Duration.ofSeconds(5))).toString()).isEqualTo(digest);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
  }

  @Test
  void resolve_503WithRetryAfterHttpDate_isHonoured() throws Exception {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(2));
    fake.fault(null, ".*", Fault.retryAfter(503, date), 1);
    long start = System.nanoTime();
    assertThat(clientFor(fake).build().resolve(app, in(Duration.ofSeconds(8))).toString()).isEqualTo(digest);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
  }

  @Test
  void resolve_retryAfterPastTheDeadline_failsAtOnce() {
    fake.fault(null, ".*", Fault.retryAfter(429, "30"));
    long start = System.nanoTime();
    assertThatThrownBy(() -> clientFor(fake).build().resolve(app, in(Duration.ofSeconds(2))))
        .isInstanceOf(DigestResolutionException.class)
        .hasMessageContaining("asked to retry after 30000 ms, which is past the deadline");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void resolve_slowRegistry_failsByTheDeadline() {
    fake.fault(null, ".*", Fault.delay(Duration.ofSeconds(5)));
    long start = System.nanoTime();
    assertThatThrownBy(() -> clientFor(fake).requestTimeout(Duration.ofSeconds(10)).build()
        .resolve(app, in(Duration.ofMillis(400))))
        .isInstanceOf(DigestResolutionException.class).hasMessageContaining("deadline");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
  }

  @Test
  void resolve_slowOnceWithShortRequestTimeout_retriesWithinTheDeadline() throws Exception {
    fake.fault(null, ".*", Fault.delay(Duration.ofSeconds(3)), 1);
    RegistryClient client = clientFor(fake).requestTimeout(Duration.ofMillis(300)).build();
    assertThat(client.resolve(app, in(Duration.ofSeconds(3))).toString()).isEqualTo(digest);
  }

  @Test
  void resolve_registryNotListening_failsSayingItCannotBeReached() throws Exception {
    String hostPort = fake.hostPort();
    fake.close();
    assertThatThrownBy(() -> RegistryClient.builder().insecureRegistry(hostPort)
        .retries(2, Duration.ofMillis(10), Duration.ofMillis(20)).build()
        .resolve(ImageReference.parse(hostPort + "/team/app:v1"), in(Duration.ofSeconds(3))))
        .isInstanceOf(DigestResolutionException.class)
        .hasMessageContaining("could not be reached").hasMessageContaining("ConnectException");
  }

  @Test
  void resolve_secondLookupWithinTtl_isServedFromTheCache() throws Exception {
    RegistryClient client = clientFor(fake).build();
    client.resolve(app, in(Duration.ofSeconds(5)));
    client.resolve(app, in(Duration.ofSeconds(5)));
    assertThat(fake.requestCount()).isEqualTo(1);
    assertThat(client.requestCount()).isEqualTo(1);
  }

  @Test
  void resolve_withTagCacheDisabled_asksEveryTimeAndSeesAMovedTag() throws Exception {
    RegistryClient client = clientFor(fake).tagCacheTtl(Duration.ZERO).build();
    client.resolve(app, in(Duration.ofSeconds(5)));
    String moved = ImagePusher.to(fake.baseUri(), null).pushImage("team/app", "v1", "moved", true);
    assertThat(client.resolve(app, in(Duration.ofSeconds(5))).toString()).isEqualTo(moved);
  }

  @Test
  void resolve_identicalConcurrentLookups_shareOneRequest() throws Exception {
    fake.fault("HEAD", ".*", Fault.delay(Duration.ofMillis(300)));
    RegistryClient client = clientFor(fake).build();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Callable<Digest>> calls = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        calls.add(() -> client.resolve(app, in(Duration.ofSeconds(5))));
      }
      for (Future<Digest> f : pool.invokeAll(calls)) {
        assertThat(f.get().toString()).isEqualTo(digest);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(fake.requestCount()).isEqualTo(1);
  }

  @Test
  void resolve_dockerHub_usesRegistry1Host() throws Exception {
    RegistryEndpoints endpoints = new RegistryEndpoints(new RegistryEndpoints.InsecureRegistries(java.util.Set.of()), null, null);
    assertThat(endpoints.apiBase("docker.io").toString()).isEqualTo("https://registry-1.docker.io/v2/");
    assertThat(endpoints.repositoryUri(ImageReference.parse("alpine:3.19"), "manifests/3.19").toString())
        .isEqualTo("https://registry-1.docker.io/v2/library/alpine/manifests/3.19");
    assertThat(endpoints.apiBase("quay.io").toString()).isEqualTo("https://quay.io/v2/");
  }

  @Test
  void resolve_registryNotNamedInsecure_isNeverAskedOverPlainHttp() {
    // The fake speaks plain HTTP; without insecureRegistry the client must insist on TLS.
    assertThatThrownBy(() -> RegistryClient.builder().retries(1, Duration.ofMillis(10), Duration.ofMillis(10)).build()
        .resolve(app, in(Duration.ofSeconds(3))))
        .isInstanceOf(DigestResolutionException.class)
        .hasMessageContaining("https://" + fake.hostPort());
  }

  @Test
  void verifier_unknownTag_isDeniedAsTagNotFound() throws Exception {
    dev.kritis.testkit.TestKey key = dev.kritis.testkit.TestKey.generate(dev.kritis.testkit.TestKey.Algorithm.ECDSA_P256_SHA256);
    RegistryClient client = clientFor(fake).build();
    dev.kritis.core.verify.ImageDecision decision = dev.kritis.core.verify.ImageVerifier.builder()
        .policies(Policies.requiring(key)).digestResolver(client.digestResolver()).addSource(client.cosignSignatures())
        .build().verifyImage(Policies.NAMESPACE, fake.hostPort() + "/team/app:gone", in(Duration.ofSeconds(5)));
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.reasons()).anySatisfy(r -> {
      assertThat(r.code()).isEqualTo(dev.kritis.core.verify.Reason.Code.TAG_NOT_FOUND);
      assertThat(r.message()).contains("the tag does not exist");
    });
  }

  @Test
  void resolve_multiArchIndexTag_givesTheIndexDigestNotAPlatformDigest() throws Exception {
    ImagePusher pusher = ImagePusher.to(fake.baseUri(), null);
    String arm = pusher.pushImage("team/app", "arm", "arm", true);
    String index = pusher.pushIndex("team/app", "multi", List.of(digest, arm));
    assertThat(clientFor(fake).build().resolve(ImageReference.parse(fake.hostPort() + "/team/app:multi"),
        in(Duration.ofSeconds(5))).toString()).isEqualTo(index);
  }
}
