package dev.kritis.registry;

import dev.kritis.core.policy.PolicySet;
import dev.kritis.core.verify.ImageDecision;
import dev.kritis.core.verify.ImageVerifier;
import dev.kritis.testkit.TestKey;
import dev.kritis.testkit.registry.DockerRegistryServer;
import dev.kritis.testkit.registry.ImagePusher;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * Cold and warm cost of verifying one cosign-signed image, referenced by tag, against the real
 * docker-registry (TLS + htpasswd) on loopback. Not a JUnit test; run {@code bench/run.sh}.
 *
 * <ul>
 *   <li>cold: a new RegistryClient per verification: TLS handshake, 401 challenge, tag
 *       resolution, signature manifest and blob; nothing cached.
 *   <li>cold caches, warm connections: one client, caches cleared before each verification.
 *   <li>warm: one client, caches populated (tag TTL 30 s, signatures 5 min).
 * </ul>
 * Reports time per verification (mean, p50, p95) and HTTP requests per verification as counted
 * by the client.
 */
public final class RegistryBenchmark {
  private RegistryBenchmark() {}

  private interface Mode {
    RegistryClient clientFor(int iteration) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int coldIterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int warmIterations = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    TestKey key = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
    PolicySet policies = Policies.requiring(key);
    try (DockerRegistryServer registry = DockerRegistryServer.startTls("bench", "bench-password")) {
      ImagePusher pusher = registry.pusher();
      String repository = registry.hostPort() + "/bench/app";
      String digest = pusher.pushImage("bench/app", "v1", "bench", true);
      pusher.pushCosignSignature("bench/app", digest, repository, key);
      String image = repository + ":v1";
      RegistryClient.Builder builder = RegistryClient.builder().caBundle(registry.caBundle())
          .credentials(registry.hostPort(), "bench", "bench-password");

      System.out.printf(Locale.ROOT, "image %s (%s), docker-registry on loopback, TLS + Basic auth%n", image, digest);
      System.out.println("sources: cosign signature tags");
      run("cold (new client each time)", coldIterations, policies, image, i -> builder.build(), false, false);
      RegistryClient shared = builder.build();
      run("cold caches, warm connections", coldIterations, policies, image, i -> shared, true, false);
      RegistryClient warm = builder.build();
      run("warm (cached)", warmIterations, policies, image, i -> warm, false, false);
      // With the referrers source too. The signature is found by cosign first, so the verifier
      // stops there; for an unsigned image both sources are asked (see the unsigned lines).
      String unsigned = repository.replace("/bench/app", "/bench/unsigned") + ":v1";
      pusher.pushImage("bench/unsigned", "v1", "unsigned", true);
      System.out.println("sources: cosign signature tags + OCI referrers (registry 2.8: tag-schema fallback); unsigned image, denied");
      run("cold (new client each time)", coldIterations, policies, unsigned, i -> builder.build(), false, true);
      RegistryClient warmBoth = builder.build();
      run("warm (negative cache, 10 s)", warmIterations, policies, unsigned, i -> warmBoth, false, true);
    }
  }

  private static void run(String name, int iterations, PolicySet policies, String image, Mode mode, boolean clear,
      boolean bothSources) throws Exception {
    int warmup = Math.max(10, iterations / 10);
    long[] nanos = new long[iterations];
    long requests = 0;
    for (int i = -warmup; i < iterations; i++) {
      RegistryClient client = mode.clientFor(i);
      if (clear) {
        client.clearCaches();
      }
      ImageVerifier.Builder verifierBuilder = ImageVerifier.builder().policies(policies)
          .digestResolver(client.digestResolver()).addSource(client.cosignSignatures());
      if (bothSources) {
        verifierBuilder.addSource(client.referrers());
      }
      ImageVerifier verifier = verifierBuilder.build();
      long before = client.requestCount();
      long start = System.nanoTime();
      ImageDecision decision = verifier.verifyImage(Policies.NAMESPACE, image, Instant.now().plusSeconds(10));
      long elapsed = System.nanoTime() - start;
      if (decision.allowed() == bothSources) {
        throw new IllegalStateException("unexpected decision for " + image + ": " + decision);
      }
      if (i >= 0) {
        nanos[i] = elapsed;
        requests += client.requestCount() - before;
      }
    }
    Arrays.sort(nanos);
    double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
    System.out.printf(Locale.ROOT, "%-32s n=%6d  mean %8.3f ms  p50 %8.3f ms  p95 %8.3f ms  HTTP requests/verification %.2f%n",
        name, iterations, mean, nanos[iterations / 2] / 1e6, nanos[(int) (iterations * 0.95)] / 1e6,
        (double) requests / iterations);
  }
}
