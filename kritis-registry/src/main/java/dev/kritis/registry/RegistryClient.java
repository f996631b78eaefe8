package dev.kritis.registry;

import dev.kritis.core.internal.UntrustedText;
import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.attestation.AttestationSource;
import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.DigestResolver;
import dev.kritis.core.reference.DigestResolver.DigestResolutionException;
import dev.kritis.core.reference.ImageReference;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * The one entry point to container registries (OCI distribution API) and Grafeas: builds the
 * {@link DigestResolver} and the {@link AttestationSource}s that an
 * {@link dev.kritis.core.verify.ImageVerifier} uses.
 *
 * <pre>{@code
 * RegistryClient registries = RegistryClient.builder()
 *     .caBundle(Path.of("/etc/kritis/registry-ca.pem"))      // --registry-ca
 *     .dockerConfig(Path.of("/root/.docker/config.json"))     // --docker-config
 *     .insecureRegistry("localhost:5000")                     // --insecure-registry
 *     .build();
 * ImageVerifier verifier = ImageVerifier.builder()
 *     .policies(policies)
 *     .digestResolver(registries.digestResolver())
 *     .addSource(registries.cosignSignatures())
 *     .addSource(registries.referrers())
 *     .build();
 * }</pre>
 *
 * <p>Guarantees: every manifest and blob is rehashed and must match the digest it was asked by
 * (a mismatch names both digests); HTTPS with the JDK's trust store plus an optional CA bundle,
 * plain HTTP only for registries named insecure; credentials are never sent to another host
 * (redirects to storage are followed without them); no call waits past the deadline it is given;
 * every failure is a checked exception whose message reads "Tried to X but failed because Y",
 * never an allow. Thread-safe: build one and share it; caches and in-flight lookups are shared by
 * everything it hands out.
 */
public final class RegistryClient {
  private final HttpTransport transport;
  private final RegistryDigestResolver resolver;
  private final CosignSignatureSource cosign;
  private final ReferrersSignatureSource referrers;
  private final ManifestPuller manifests;
  private final ReferrersPuller referrersPuller;
  private final SignatureLayers layers;
  private final CachePolicy cachePolicy;
  private final Clock clock;
  private final int maxCacheEntries;
  private final LookupCache<String, Digest> tagCache;
  private final LookupCache<String, List<Attestation>> signatureCache;
  private final LookupCache<String, String> tokenCache;

  private RegistryClient(Builder b, SSLContext sslContext) {
    this.clock = b.clock;
    this.maxCacheEntries = b.maxCacheEntries;
    HttpClient.Builder http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        // Redirects are followed by HttpTransport, which drops credentials on a change of host.
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(b.requestTimeout);
    if (sslContext != null) {
      http.sslContext(sslContext);
    }
    this.transport = new HttpTransport(http.build(), b.requestTimeout, b.maxAttempts, b.retryBaseDelay,
        b.retryMaxDelay, clock);
    RegistryEndpoints.InsecureRegistries insecure = new RegistryEndpoints.InsecureRegistries(b.insecure);
    this.tokenCache = new LookupCache<>(maxCacheEntries, clock);
    RegistryAuthenticator authenticator = new RegistryAuthenticator(b.credentials, transport, insecure, tokenCache);
    RegistryEndpoints endpoints = new RegistryEndpoints(insecure, transport, authenticator);
    this.manifests = new ManifestPuller(endpoints);
    this.layers = new SignatureLayers(new BlobPuller(endpoints), b.maxBlobBytes);
    this.referrersPuller = new ReferrersPuller(endpoints, manifests);
    this.cachePolicy = new CachePolicy(b.signatureCacheTtl, b.negativeCacheTtl);
    this.tagCache = new LookupCache<>(maxCacheEntries, clock);
    this.signatureCache = new LookupCache<>(maxCacheEntries, clock);
    this.resolver = new RegistryDigestResolver(new TagResolver(endpoints, manifests), tagCache, b.tagCacheTtl);
    this.cosign = new CosignSignatureSource(manifests, layers, signatureCache, cachePolicy);
    this.referrers = new ReferrersSignatureSource(referrersPuller, manifests, layers,
        MediaTypes.COSIGN_SIGNATURE_ARTIFACT, signatureCache, cachePolicy);
  }

  /** A builder with secure defaults: HTTPS only, system trust store, anonymous access. */
  public static Builder builder() {
    return new Builder();
  }

  /** Resolves tags through the image's registry; the same instance on every call. */
  public RegistryDigestResolver digestResolver() {
    return resolver;
  }

  /**
   * Resolves {@code reference}'s tag to a digest now, for {@code kritis resolve}.
   *
   * @throws DigestResolutionException naming the registry, the tag and why it failed
   */
  public Digest resolve(ImageReference reference, Instant deadline) throws DigestResolutionException {
    return resolver.resolve(reference, deadline);
  }

  /** Cosign signatures ({@code sha256-<hex>.sig} tags); the same instance on every call. */
  public CosignSignatureSource cosignSignatures() {
    return cosign;
  }

  /** OCI referrers of cosign's signature artifact type; the same instance on every call. */
  public ReferrersSignatureSource referrers() {
    return referrers;
  }

  /** OCI referrers of another artifact type (a new source sharing this client's caches). */
  public ReferrersSignatureSource referrers(String artifactType) {
    Objects.requireNonNull(artifactType, "artifactType");
    if (artifactType.isBlank()) {
      throw new IllegalArgumentException("artifactType must not be blank");
    }
    return new ReferrersSignatureSource(referrersPuller, manifests, layers, artifactType, signatureCache, cachePolicy);
  }

  /** Both in-registry sources: cosign signature tags, then OCI referrers. */
  public List<AttestationSource> registrySources() {
    return List.of(cosign, referrers);
  }

  /**
   * Attestation occurrences from a Grafeas server, e.g. {@code https://grafeas.example:8443} or
   * {@code https://containeranalysis.googleapis.com}, using this client's TLS settings, retries
   * and caches.
   *
   * @param bearerToken sent as {@code Authorization: Bearer …}; empty for none
   */
  public GrafeasAttestationSource grafeas(URI baseUrl, Optional<String> bearerToken) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    String scheme = String.valueOf(baseUrl.getScheme()).toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new IllegalArgumentException("Grafeas URL must be http(s): " + baseUrl);
    }
    return new GrafeasAttestationSource(transport, baseUrl, bearerToken.filter(t -> !t.isEmpty()).orElse(null),
        signatureCache, cachePolicy);
  }

  /** HTTP requests sent so far (retries, redirects and token requests included): for metrics and benchmarks. */
  public long requestCount() {
    return transport.requestCount();
  }

  /** Forgets cached digests, signatures and tokens, e.g. after a registry incident. */
  public void clearCaches() {
    tagCache.clear();
    signatureCache.clear();
    tokenCache.clear();
  }

  /**
   * How long signature lookups are kept. Found signatures are kept for the signature TTL
   * (default 5 min). An empty answer ("no signatures yet") is kept only briefly (default 10 s):
   * long enough that the replicas of one unsigned Deployment do not each ask the registry, short
   * enough that an image signed right after a denial is admitted on the next try. Failures are
   * never cached; the next check asks again.
   */
  static final class CachePolicy {
    private final Duration positive;
    private final Duration negative;

    CachePolicy(Duration positive, Duration negative) {
      this.positive = positive;
      this.negative = negative;
    }

    LookupCache.Timed<List<Attestation>> forSignatures(List<Attestation> found) {
      return new LookupCache.Timed<>(List.copyOf(found), found.isEmpty() ? negative : positive);
    }
  }

  /** Configures a {@link RegistryClient}. Every setting has a safe default. */
  public static final class Builder {
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]{1,5})?|\\[[0-9A-Fa-f:]+\\](?::[0-9]{1,5})?");

    private final Map<String, DockerConfig.Credential> credentials = new LinkedHashMap<>();
    private final Set<String> insecure = new LinkedHashSet<>();
    private Path caBundle;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int maxAttempts = 4;
    private Duration retryBaseDelay = Duration.ofMillis(200);
    private Duration retryMaxDelay = Duration.ofSeconds(5);
    private long maxBlobBytes = 16L * 1024 * 1024;
    private Duration tagCacheTtl = Duration.ofSeconds(30);
    private Duration signatureCacheTtl = Duration.ofMinutes(5);
    private Duration negativeCacheTtl = Duration.ofSeconds(10);
    private int maxCacheEntries = 10_000;
    private Clock clock = Clock.systemUTC();
    private RegistryConfigException deferred;

    private Builder() {}

    /**
     * Trusts the certificates of a PEM bundle (one or more {@code CERTIFICATE} blocks) in
     * addition to the JDK's default CAs ({@code kritis verify --registry-ca FILE}).
     */
    public Builder caBundle(Path pemFile) {
      this.caBundle = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /**
     * Reads registry credentials from a Docker {@code config.json} ({@code --docker-config FILE}):
     * {@code auths} entries with {@code auth}, {@code username}/{@code password} or
     * {@code identitytoken}. Errors in the file are reported by {@link #build()}.
     */
    public Builder dockerConfig(Path configJson) {
      Objects.requireNonNull(configJson, "configJson");
      try {
        addDockerConfigJson(Files.readAllBytes(configJson), configJson.toString());
      } catch (IOException e) {
        defer(new RegistryConfigException("Tried to read registry credentials from " + configJson
            + " but failed because " + e.getMessage(), e));
      }
      return this;
    }

    /**
     * Reads registry credentials from the JSON of a Kubernetes {@code kubernetes.io/dockerconfigjson}
     * secret (its decoded {@code .dockerconfigjson} value), which has the config.json shape.
     *
     * @param origin names the secret in messages, e.g. {@code secret default/regcred}
     */
    public Builder dockerConfigJson(String json, String origin) {
      addDockerConfigJson(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), origin);
      return this;
    }

    private void addDockerConfigJson(byte[] json, String origin) {
      try {
        DockerConfig.read(json, origin, credentials);
      } catch (RegistryConfigException e) {
        defer(e);
      }
    }

    /** Basic credentials for one registry ({@code host[:port]}); later settings win. */
    public Builder credentials(String registry, String username, String password) {
      credentials.put(DockerConfig.normalizeKey(registry),
          new DockerConfig.Credential(Objects.requireNonNull(username), Objects.requireNonNull(password), null));
      return this;
    }

    /**
     * Talks plain HTTP to this registry ({@code host:port} exactly as in image references,
     * {@code --insecure-registry}); repeatable. No other registry is ever contacted without TLS.
     */
    public Builder insecureRegistry(String hostPort) {
      Objects.requireNonNull(hostPort, "hostPort");
      if (!HOST_PORT.matcher(hostPort).matches()) {
        defer(new RegistryConfigException("Tried to add insecure registry \"" + UntrustedText.printable(hostPort)
            + "\" but failed because it is not host[:port] (no scheme, no path)"));
      } else {
        insecure.add(hostPort.toLowerCase(Locale.ROOT));
      }
      return this;
    }

    /** Longest wait for one HTTP exchange (default 10 s); the caller's deadline may cut it shorter. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /**
     * Attempts per request, the first included (default 4), for 429/502/503/504 answers and
     * connection errors, with jittered exponential backoff from {@code baseDelay} up to
     * {@code maxDelay} (defaults 200 ms, 5 s); Retry-After is honoured but never past the deadline.
     */
    public Builder retries(int maxAttempts, Duration baseDelay, Duration maxDelay) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      this.retryBaseDelay = positive(baseDelay, "baseDelay");
      this.retryMaxDelay = positive(maxDelay, "maxDelay");
      return this;
    }

    /** Largest signature blob read (default 16 MiB). Manifests are capped at 4 MiB. */
    public Builder maxBlobBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxBlobBytes must be positive, got " + bytes);
      }
      this.maxBlobBytes = bytes;
      return this;
    }

    /** How long a tag's digest is reused (default 30 s; zero disables). Tags move: keep it short. */
    public Builder tagCacheTtl(Duration ttl) {
      this.tagCacheTtl = nonNegative(ttl, "tagCacheTtl");
      return this;
    }

    /** How long found signatures are reused (default 5 min; zero disables). */
    public Builder signatureCacheTtl(Duration ttl) {
      this.signatureCacheTtl = nonNegative(ttl, "signatureCacheTtl");
      return this;
    }

    /** How long "no signatures" is reused (default 10 s; zero disables). */
    public Builder negativeCacheTtl(Duration ttl) {
      this.negativeCacheTtl = nonNegative(ttl, "negativeCacheTtl");
      return this;
    }

    /** Entries per cache (default 10,000); the least recently used goes first. */
    public Builder maxCacheEntries(int entries) {
      if (entries < 1) {
        throw new IllegalArgumentException("maxCacheEntries must be positive, got " + entries);
      }
      this.maxCacheEntries = entries;
      return this;
    }

    /** The clock for deadlines and cache expiry (tests). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws RegistryConfigException if a Docker config, the CA bundle or an insecure-registry
     *     entry cannot be used; the message names the file or value
     */
    public RegistryClient build() throws RegistryConfigException {
      if (deferred != null) {
        throw deferred;
      }
      SSLContext ssl = caBundle == null ? null : TrustStores.withExtraCertificates(caBundle);
      return new RegistryClient(this, ssl);
    }

    private void defer(RegistryConfigException e) {
      if (deferred == null) {
        deferred = e;
      }
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }

    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, got " + d);
      }
      return d;
    }
  }
}
