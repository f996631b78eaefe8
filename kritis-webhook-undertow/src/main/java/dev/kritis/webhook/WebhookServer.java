package dev.kritis.webhook;

import dev.kritis.core.attestation.AttestationSource;
import dev.kritis.core.reference.DigestResolver;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.verify.ImageVerifier;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.Options;
import org.xnio.Sequence;

/**
 * The Kritis admission webhook: HTTPS only (TLS 1.2 and 1.3), {@code POST /validate},
 * {@code POST /mutate}, {@code GET /healthz}, {@code /readyz} and {@code /metrics}.
 *
 * <p>Guarantees: a request is never allowed because something failed — an error denies unless
 * {@link Builder#failOpen} was chosen; every review is answered within the deadline; a bad policy
 * file or object leaves the last good policy set in force. Configure with {@link #builder()},
 * then {@link #start()}; {@link #close()} stops it.
 */
public final class WebhookServer implements AutoCloseable {
  private final Undertow undertow;
  private final GracefulShutdownHandler graceful;
  private final Duration drainTimeout;
  private final PolicyStore policies;
  private final ThreadPoolExecutor verifyPool;
  private final TlsReloader tlsReloader;
  private final VerdictCache cache;
  private final int port;

  private WebhookServer(Undertow undertow, GracefulShutdownHandler graceful, Duration drainTimeout, PolicyStore policies,
      ThreadPoolExecutor verifyPool, TlsReloader tlsReloader, VerdictCache cache) {
    this.undertow = undertow;
    this.graceful = graceful;
    this.drainTimeout = drainTimeout;
    this.policies = policies;
    this.verifyPool = verifyPool;
    this.tlsReloader = tlsReloader;
    this.cache = cache;
    this.port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The port the server listens on (useful with port 0). */
  public int port() {
    return port;
  }

  /** Null when ready (a policy set is in force); otherwise why not. */
  public String notReadyReason() {
    return policies.notReadyReason();
  }

  VerdictCache cache() {
    return cache;
  }

  PolicyStore policies() {
    return policies;
  }

  /** Stops taking requests (503), lets the ones in flight finish within the deadline, then stops. */
  @Override
  public void close() {
    graceful.shutdown();
    try {
      graceful.awaitShutdown(drainTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    undertow.stop();
    if (tlsReloader != null) {
      tlsReloader.close();
    }
    policies.close();
    verifyPool.shutdownNow();
  }

  /** Everything {@code kritis serve} can be told; sources and a resolver can be added by embedders. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 8443;
    private Path tlsCert;
    private Path tlsKey;
    private boolean selfSigned;
    private List<String> selfSignedNames = List.of();
    private Duration tlsReloadInterval = Duration.ofSeconds(10);
    private final List<Path> policyPaths = new ArrayList<>();
    private Duration policyPollInterval = Duration.ofSeconds(2);
    private KubernetesClient kubernetesClient;
    private boolean kubernetesInCluster;
    private final List<AttestationSource> sources = new ArrayList<>();
    private DigestResolver resolver;
    private Duration resolverTtl = Duration.ofMinutes(1);
    private final Set<String> exemptNamespaces = new LinkedHashSet<>();
    private ImageReference selfImage;
    private boolean dryRun;
    private boolean failOpen;
    private Duration deadline = Duration.ofSeconds(8);
    private long maxBody = 3L * 1024 * 1024;
    private int verifyThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private int verifyQueue = 1024;
    private long cacheSize = 10_000;
    private Duration cacheTtl = Duration.ofMinutes(10);
    private Duration deniedTtl = Duration.ofSeconds(30);

    private Builder() {}

    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** 0 picks a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** PEM certificate chain and private key, reloaded when the files change. */
    public Builder tls(Path certFile, Path keyFile) {
      this.tlsCert = Objects.requireNonNull(certFile, "certFile");
      this.tlsKey = Objects.requireNonNull(keyFile, "keyFile");
      this.selfSigned = false;
      return this;
    }

    /** A certificate made at start for localhost, 127.0.0.1 and {@code dnsNames}: local runs and tests. */
    public Builder tlsSelfSigned(List<String> dnsNames) {
      this.selfSigned = true;
      this.selfSignedNames = List.copyOf(dnsNames);
      this.tlsCert = null;
      this.tlsKey = null;
      return this;
    }

    public Builder tlsReloadInterval(Duration interval) {
      this.tlsReloadInterval = positive(interval, "tlsReloadInterval");
      return this;
    }

    /** A policy file or directory, reloaded when it changes. */
    public Builder addPolicyPath(Path path) {
      policyPaths.add(Objects.requireNonNull(path, "path"));
      return this;
    }

    public Builder policyPollInterval(Duration interval) {
      this.policyPollInterval = positive(interval, "policyPollInterval");
      return this;
    }

    /** Watch kritis.grafeas.io objects with the in-cluster service account. */
    public Builder kubernetesInCluster() {
      this.kubernetesInCluster = true;
      return this;
    }

    /** Watch kritis.grafeas.io objects through this client (the caller closes it). */
    public Builder kubernetes(KubernetesClient client) {
      this.kubernetesClient = Objects.requireNonNull(client, "client");
      return this;
    }

    public Builder addAttestationSource(AttestationSource source) {
      sources.add(Objects.requireNonNull(source, "source"));
      return this;
    }

    /** Resolves tag-only references; results for them are cached no longer than {@code ttl}. */
    public Builder digestResolver(DigestResolver resolver, Duration ttl) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      this.resolverTtl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    public Builder exemptNamespace(String namespace) {
      exemptNamespaces.add(Objects.requireNonNull(namespace, "namespace"));
      return this;
    }

    /** The webhook's own image, always admitted so the webhook can be rolled out under itself. */
    public Builder selfImage(ImageReference image) {
      this.selfImage = Objects.requireNonNull(image, "image");
      return this;
    }

    /** Admit everything; report what would be denied as warnings and log lines. */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /** Admit when verification cannot finish (timeout, broken source). Default: deny. */
    public Builder failOpen(boolean failOpen) {
      this.failOpen = failOpen;
      return this;
    }

    /** Per-review deadline; keep it below the webhook configuration's timeoutSeconds. */
    public Builder deadline(Duration deadline) {
      this.deadline = positive(deadline, "deadline");
      return this;
    }

    public Builder maxBody(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxBody must be positive, got " + bytes);
      }
      this.maxBody = bytes;
      return this;
    }

    public Builder verifyThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("verifyThreads must be positive, got " + threads);
      }
      this.verifyThreads = threads;
      return this;
    }

    public Builder cache(long maxEntries, Duration ttl, Duration deniedTtl) {
      if (maxEntries < 0) {
        throw new IllegalArgumentException("cache size must not be negative, got " + maxEntries);
      }
      this.cacheSize = maxEntries;
      this.cacheTtl = positive(ttl, "cache ttl");
      this.deniedTtl = Objects.requireNonNull(deniedTtl, "deniedTtl");
      return this;
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }

    /**
     * Loads TLS material, starts watching policies and listens.
     *
     * @throws GeneralSecurityException when the TLS material cannot be used
     * @throws IllegalStateException when the configuration is incomplete
     */
    public WebhookServer start() throws GeneralSecurityException, java.io.IOException {
      if (!selfSigned && tlsCert == null) {
        throw new IllegalStateException("TLS is required: give a certificate and key, or choose a self-signed certificate");
      }
      if (policyPaths.isEmpty() && kubernetesClient == null && !kubernetesInCluster) {
        throw new IllegalStateException("no policy source: give policy paths and/or watch Kubernetes");
      }
      TlsCredentials credentials = selfSigned ? TlsCredentials.selfSigned(selfSignedNames)
          : TlsCredentials.fromPem(tlsCert, tlsKey);

      WebhookMetrics metrics = new WebhookMetrics();
      List<PolicyFeed> feeds = new ArrayList<>();
      if (!policyPaths.isEmpty()) {
        feeds.add(new DirectoryPolicyFeed(policyPaths, policyPollInterval));
      }
      if (kubernetesClient != null) {
        feeds.add(new KubernetesPolicyFeed(kubernetesClient, false));
      } else if (kubernetesInCluster) {
        feeds.add(new KubernetesPolicyFeed(new KubernetesClientBuilder().build(), true));
      }
      VerdictCache cache = new VerdictCache(cacheSize, cacheTtl, resolverTtl, deniedTtl);
      PolicyStore store = new PolicyStore(feeds, set -> metrics.policyObjects.set(set.size()),
          metrics.policyReloadFailures::inc);

      ImageVerifier.Builder verifier = ImageVerifier.builder().policies(store);
      sources.forEach(verifier::addSource);
      if (resolver != null) {
        verifier.digestResolver(resolver);
      }
      AtomicInteger threadNumber = new AtomicInteger();
      ThreadPoolExecutor pool = new ThreadPoolExecutor(verifyThreads, verifyThreads, 60, TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(verifyQueue), r -> {
            Thread t = new Thread(r, "kritis-verify-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      pool.allowCoreThreadTimeOut(true);
      AdmissionReviewer reviewer = new AdmissionReviewer(verifier.build(), store, cache, pool, metrics,
          exemptNamespaces, selfImage, dryRun, failOpen, deadline);
      WebhookHandler handler = new WebhookHandler(reviewer, metrics, store::notReadyReason, store::status, maxBody);
      GracefulShutdownHandler graceful = Handlers.gracefulShutdown(handler);

      store.start();
      Undertow undertow = Undertow.builder()
          .addHttpsListener(port, host, credentials.sslContext())
          .setSocketOption(Options.SSL_ENABLED_PROTOCOLS, Sequence.of("TLSv1.3", "TLSv1.2"))
          // A backstop only: the handler enforces maxBody itself, with a 413 and a reason.
          .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 2 * maxBody + 65536)
          .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 120_000)
          .setHandler(graceful)
          .build();
      try {
        undertow.start();
      } catch (RuntimeException e) {
        store.close();
        pool.shutdownNow();
        throw new java.io.IOException("cannot listen on " + host + ":" + port + ": " + rootMessage(e), e);
      }
      TlsReloader reloader = selfSigned ? null
          : new TlsReloader(tlsCert, tlsKey, undertow.getListenerInfo().get(0), tlsReloadInterval);
      return new WebhookServer(undertow, graceful, deadline.plusSeconds(1), store, pool, reloader, cache);
    }

    private static String rootMessage(Throwable t) {
      while (t.getCause() != null) {
        t = t.getCause();
      }
      return t.toString();
    }
  }
}
