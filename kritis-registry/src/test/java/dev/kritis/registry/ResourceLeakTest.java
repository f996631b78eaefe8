package dev.kritis.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kritis.core.attestation.AttestationSourceException;
import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.reference.DigestResolver.DigestResolutionException;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.testkit.TestKey;
import dev.kritis.testkit.registry.FakeRegistry;
import dev.kritis.testkit.registry.Fault;
import dev.kritis.testkit.registry.ImagePusher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A thousand failing lookups must leave no thread and no connection behind: a webhook that
 * leaks on every bad image falls over after a day of rejecting one.
 */
class ResourceLeakTest {

  @Test
  void thousandFaultyLookups_leakNoThreadsAndNoConnections() throws Exception {
    TestKey key = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
    AttestationAuthority authority = Policies.requiring(key).authority(Policies.NAMESPACE, "signer").orElseThrow();
    try (FakeRegistry fake = FakeRegistry.start()) {
      ImagePusher pusher = ImagePusher.to(fake.baseUri(), null);
      String repository = fake.hostPort() + "/team/app";
      String digest = pusher.pushImage("team/app", "v1", "leak", true);
      pusher.pushCosignSignature("team/app", digest, repository, key);
      String signed2 = pusher.pushImage("team/app", "v2", "leak2", true);
      pusher.pushCosignSignature("team/app", signed2, repository, key);
      fake.fault("HEAD", "/v2/team/app/manifests/broken", Fault.error(500, "UNKNOWN", "boom"));
      fake.fault("GET", "/v2/team/app/manifests/" + ImagePusher.signatureTag(digest), Fault.wrongDigestHeader());
      fake.fault("GET", "/v2/team/app/blobs/.*", Fault.truncateBody());

      RegistryClient client = RegistryClient.builder().insecureRegistry(fake.hostPort())
          .retries(2, Duration.ofMillis(1), Duration.ofMillis(2)).build();
      ImageReference missing = ImageReference.parse(repository + ":missing");
      ImageReference broken = ImageReference.parse(repository + ":broken");
      ImageReference badManifest = ImageReference.parse(repository + "@" + digest);
      ImageReference badBlob = ImageReference.parse(repository + "@" + signed2);
      // Warm up: the HTTP client's selector and worker threads exist from the first request on.
      assertThatThrownBy(() -> client.resolve(missing, Instant.now().plusSeconds(5)));
      Thread.sleep(200);
      int threadsBefore = Thread.activeCount();
      long fdsBefore = openFileDescriptors();

      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        int kind = i % 4;
        results.add(pool.submit(() -> {
          Instant deadline = Instant.now().plusSeconds(5);
          try {
            switch (kind) {
              case 0: client.resolve(missing, deadline); return false;
              case 1: client.resolve(broken, deadline); return false;
              case 2: client.cosignSignatures().attestationsFor(badManifest, authority, deadline); return false;
              default: client.cosignSignatures().attestationsFor(badBlob, authority, deadline); return false;
            }
          } catch (DigestResolutionException | AttestationSourceException e) {
            return true;
          }
        }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get()).as("every faulty lookup ends in a checked exception").isTrue();
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

      int threadsAfter = Thread.activeCount();
      for (int i = 0; i < 40 && threadsAfter > threadsBefore + 4; i++) {
        Thread.sleep(100);
        threadsAfter = Thread.activeCount();
      }
      assertThat(threadsAfter).as("live threads before %d, after %d", threadsBefore, threadsAfter)
          .isLessThanOrEqualTo(threadsBefore + 8);
      long established = establishedConnections(fake.port());
      assertThat(established).as("established TCP connections to the fake (both ends counted)").isLessThanOrEqualTo(24);
      long fdsAfter = openFileDescriptors();
      System.out.printf(Locale.ROOT, "leak check: threads %d -> %d, fds %d -> %d, established %d, client requests %d,"
          + " distinct connections %d%n", threadsBefore, threadsAfter, fdsBefore, fdsAfter, established,
          client.requestCount(), fake.connectionCount());
      assertThat(fdsAfter).as("open file descriptors before %d, after %d", fdsBefore, fdsAfter)
          .isLessThanOrEqualTo(fdsBefore + 24);
    }
  }

  private static long openFileDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  /** Entries of /proc/net/tcp in state ESTABLISHED (01) with {@code port} at either end. */
  private static long establishedConnections(int port) throws IOException {
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    long count = 0;
    for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(file);
      if (!Files.exists(path)) {
        continue;
      }
      for (String line : Files.readAllLines(path)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3 && f[3].equals("01") && (f[1].endsWith(hexPort) || f[2].endsWith(hexPort))) {
          count++;
        }
      }
    }
    return count;
  }
}
