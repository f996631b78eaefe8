package dev.kritis.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fake behaves like a registry, and its faults do what they say. */
class FakeRegistryTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static HttpResponse<byte[]> get(URI uri) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void pushedManifest_isServedWithItsDigestAndRecorded() throws Exception {
    try (FakeRegistry fake = FakeRegistry.start()) {
      String digest = ImagePusher.to(fake.baseUri(), null).pushImage("a/b", "v1", "x", true);
      HttpResponse<byte[]> response = get(fake.baseUri().resolve("/v2/a/b/manifests/v1"));
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(FakeRegistry.sha256(response.body())).isEqualTo(digest);
      assertThat(response.headers().firstValue("Docker-Content-Digest")).contains(digest);
      assertThat(fake.requests()).last().extracting(RecordedRequest::target).isEqualTo("/v2/a/b/manifests/v1");
    }
  }

  @Test
  void faults_applyToMatchingRequestsTheGivenNumberOfTimes() throws Exception {
    try (FakeRegistry fake = FakeRegistry.start()) {
      String digest = ImagePusher.to(fake.baseUri(), null).pushImage("a/b", "v1", "x", true);
      fake.fault("GET", "/v2/a/b/manifests/v1", Fault.retryAfter(429, "7"), 1);
      HttpResponse<byte[]> limited = get(fake.baseUri().resolve("/v2/a/b/manifests/v1"));
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("Retry-After")).contains("7");
      assertThat(get(fake.baseUri().resolve("/v2/a/b/manifests/v1")).statusCode()).isEqualTo(200);
      fake.fault("GET", "/v2/a/b/manifests/v1", Fault.wrongDigestHeader());
      assertThat(get(fake.baseUri().resolve("/v2/a/b/manifests/v1")).headers().firstValue("Docker-Content-Digest"))
          .isPresent().get().isNotEqualTo(digest);
      fake.clearFaults();
      fake.fault("GET", "/v2/a/b/manifests/v1", Fault.truncateBody());
      assertThatThrownBy(() -> get(fake.baseUri().resolve("/v2/a/b/manifests/v1"))).isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void referrersApi_canBeSwitchedOffLikeRegistry28() throws Exception {
    try (FakeRegistry fake = FakeRegistry.start()) {
      String digest = ImagePusher.to(fake.baseUri(), null).pushImage("a/b", "v1", "x", true);
      assertThat(get(fake.baseUri().resolve("/v2/a/b/referrers/" + digest)).statusCode()).isEqualTo(200);
      fake.referrersApi(false);
      assertThat(get(fake.baseUri().resolve("/v2/a/b/referrers/" + digest)).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void dockerRegistryServer_missingBinary_failsSayingWhatToInstall() {
    String previous = System.getProperty("kritis.docker-registry");
    System.setProperty("kritis.docker-registry", "/nonexistent/docker-registry");
    try {
      assertThatThrownBy(DockerRegistryServer::startPlain)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("apt-get install -y docker-registry apache2-utils");
    } finally {
      if (previous == null) {
        System.clearProperty("kritis.docker-registry");
      } else {
        System.setProperty("kritis.docker-registry", previous);
      }
    }
  }
}
