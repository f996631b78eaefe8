package dev.kritis.webhook;

import dev.kritis.core.policy.PolicySet;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.reference.InvalidReferenceException;
import dev.kritis.core.verify.ImageVerifier;
import dev.kritis.webhook.AdmissionOutcome.ImagePatch;
import dev.kritis.webhook.AdmissionOutcome.Result;
import dev.kritis.webhook.Workload.ContainerImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides one admission request: which images to check, the operator's escape hatches
 * (exempt namespaces, breakglass, dry run, the webhook's own image), the checks themselves
 * (cached, identical images once, different ones in parallel, under a deadline), and the
 * answer. Never throws for bad data in the object: that is a {@link MalformedReviewException}.
 */
final class AdmissionReviewer {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionReviewer.class);

  private final ImageVerifier verifier;
  private final Supplier<PolicySet> policies;
  private final VerdictCache cache;
  private final ExecutorService executor;
  private final WebhookMetrics metrics;
  private final Set<String> exemptNamespaces;
  private final ImageReference selfImage;
  private final String selfImageName;
  private final boolean dryRun;
  private final boolean failOpen;
  private final Duration deadline;
  private final ConcurrentHashMap<InflightKey, Future<ImageVerdict>> inflight = new ConcurrentHashMap<>();

  AdmissionReviewer(ImageVerifier verifier, Supplier<PolicySet> policies, VerdictCache cache, ExecutorService executor,
      WebhookMetrics metrics, Set<String> exemptNamespaces, ImageReference selfImage, boolean dryRun, boolean failOpen,
      Duration deadline) {
    this.verifier = verifier;
    this.policies = policies;
    this.cache = cache;
    this.executor = executor;
    this.metrics = metrics;
    this.exemptNamespaces = Set.copyOf(exemptNamespaces);
    this.selfImage = selfImage;
    this.selfImageName = selfImage == null ? null : selfImage.path().substring(selfImage.path().lastIndexOf('/') + 1);
    this.dryRun = dryRun;
    this.failOpen = failOpen;
    this.deadline = deadline;
  }

  AdmissionOutcome review(AdmissionRequest request, boolean mutate) throws MalformedReviewException {
    if (!request.operation.equals("CREATE") && !request.operation.equals("UPDATE")) {
      return AdmissionOutcome.allow();
    }
    if (!Workload.isReviewed(request.group, request.kind, request.subResource)) {
      return AdmissionOutcome.allow();
    }
    if (request.object == null) {
      throw new MalformedReviewException("field \"request.object\" is missing for " + request.operation + " of " + request.kind);
    }
    // Every reviewed kind is namespaced, and policies are per namespace: without one, "no policy
    // here" would admit anything. The API server always sends it; a request without it is broken.
    String namespace = request.namespace;
    if (namespace.isEmpty()) {
      namespace = request.object.path("metadata").path("namespace").asText("");
    }
    if (namespace.isEmpty()) {
      throw new MalformedReviewException("field \"request.namespace\" is missing for " + request.kind
          + ", a namespaced kind");
    }
    if (exemptNamespaces.contains(namespace)) {
      return AdmissionOutcome.allow();
    }
    Workload workload = Workload.of(request.kind, request.object);
    if (workload.images.isEmpty()) {
      return AdmissionOutcome.allow();
    }
    if (workload.breakglass) {
      LOG.warn("breakglass: admitted {} without verification, images {}", request.describe(), imagesOf(workload));
      return AdmissionOutcome.allow(List.of("breakglass annotation " + Workload.BREAKGLASS_ANNOTATION
          + "=true: images admitted without verification; this is logged"));
    }
    Instant until = Instant.now().plus(deadline);
    long untilNanos = System.nanoTime() + deadline.toNanos();
    Map<String, ImageVerdict> verdicts = verifyAll(namespace, workload, until, untilNanos);
    return answer(request, workload, verdicts, mutate);
  }

  private Map<String, ImageVerdict> verifyAll(String namespace, Workload workload, Instant until, long untilNanos) {
    PolicySet snapshot = policies.get();
    Map<String, ImageVerdict> verdicts = new LinkedHashMap<>();
    Map<String, Future<ImageVerdict>> pending = null;
    for (ContainerImage c : workload.images) {
      String image = c.image;
      if (verdicts.containsKey(image) || (pending != null && pending.containsKey(image))) {
        continue; // identical images are checked once
      }
      if (snapshot == null) {
        verdicts.put(image, ImageVerdict.error(image, "no policy set has been loaded yet"));
        continue;
      }
      if (isSelfImage(image)) {
        verdicts.put(image, ImageVerdict.allowed(image, "the webhook's own image (--self-image)"));
        continue;
      }
      ImageVerdict cached = cache.get(namespace, image, snapshot.version());
      if (cached != null) {
        metrics.cacheHits.inc();
        verdicts.put(image, cached);
        continue;
      }
      metrics.cacheMisses.inc();
      if (pending == null) {
        pending = new LinkedHashMap<>();
      }
      verdicts.put(image, null); // keeps the order
      Future<ImageVerdict> future = inflight(namespace, image, snapshot, until);
      if (future == null) {
        verdicts.put(image, ImageVerdict.error(image, "verifier overloaded: too many checks queued"));
      } else {
        pending.put(image, future);
      }
    }
    if (pending != null) {
      for (Map.Entry<String, Future<ImageVerdict>> e : pending.entrySet()) {
        ImageVerdict v = await(e.getKey(), e.getValue(), untilNanos);
        verdicts.put(e.getKey(), v);
        if (v.error) {
          if (v.timedOut) {
            metrics.timeouts.inc();
          } else {
            metrics.sourceErrors.inc();
          }
        }
      }
    }
    return verdicts;
  }

  /**
   * The check of one image, shared by every request that needs it while it runs: a burst of
   * identical reviews (a rollout, or the first requests after a policy change) verifies once.
   * Returns null when the verifier's queue is full.
   */
  private Future<ImageVerdict> inflight(String namespace, String image, PolicySet snapshot, Instant until) {
    InflightKey key = new InflightKey(namespace, image, snapshot.version());
    FutureTask<ImageVerdict> task = new FutureTask<>(() -> {
      ImageVerdict v = ImageVerdict.of(verifier.verifyImage(snapshot, namespace, image, until));
      cache.put(namespace, snapshot.version(), v);
      return v;
    }) {
      @Override
      protected void done() {
        inflight.remove(key, this);
      }
    };
    Future<ImageVerdict> existing = inflight.putIfAbsent(key, task);
    if (existing != null) {
      return existing;
    }
    try {
      executor.execute(task);
      return task;
    } catch (RejectedExecutionException e) {
      inflight.remove(key, task);
      return null;
    }
  }

  private static final class InflightKey {
    final String namespace;
    final String image;
    final long version;

    InflightKey(String namespace, String image, long version) {
      this.namespace = namespace;
      this.image = image;
      this.version = version;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof InflightKey)) {
        return false;
      }
      InflightKey k = (InflightKey) o;
      return version == k.version && namespace.equals(k.namespace) && image.equals(k.image);
    }

    @Override
    public int hashCode() {
      return (namespace.hashCode() * 31 + image.hashCode()) * 31 + Long.hashCode(version);
    }
  }

  private ImageVerdict await(String image, Future<ImageVerdict> future, long untilNanos) {
    try {
      return future.get(Math.max(0, untilNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      return ImageVerdict.timedOut(image, "verification timed out after " + deadline.toMillis() + " ms");
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      return ImageVerdict.error(image, "verification interrupted");
    } catch (CancellationException e) {
      // Shared with a request whose deadline passed first: the check ran under that deadline.
      return ImageVerdict.timedOut(image, "verification timed out");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return ImageVerdict.error(image, "verification failed: " + cause);
    }
  }

  private boolean isSelfImage(String image) {
    if (selfImage == null) {
      return false;
    }
    if (image.equals(selfImage.original())) {
      return true;
    }
    if (!image.contains(selfImageName)) {
      return false; // cheap: every spelling of our image contains its last path segment; parsing costs more
    }
    try {
      return selfImage.equals(ImageReference.parse(image));
    } catch (InvalidReferenceException e) {
      return false;
    }
  }

  private AdmissionOutcome answer(AdmissionRequest request, Workload workload, Map<String, ImageVerdict> verdicts,
      boolean mutate) {
    List<String> denials = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    boolean error = false;
    for (ImageVerdict v : verdicts.values()) {
      if (v.allowed) {
        continue;
      }
      if (v.error) {
        error = true;
        if (failOpen) {
          warnings.add("fail-open: image " + v.image + " admitted without verification: " + v.errorSummary);
          LOG.warn("fail-open: admitted {}: image {} could not be verified: {}", request.describe(), v.image, v.detail);
          continue;
        }
        warnings.add("image " + v.image + ": " + v.errorSummary);
      }
      denials.add(v.denialMessage());
    }
    Result result = error ? Result.ERROR : denials.isEmpty() ? Result.ALLOWED : Result.DENIED;
    if (!denials.isEmpty()) {
      String message = String.join("; ", denials);
      String details = verdictDetails(verdicts);
      if (dryRun) {
        LOG.warn("dry run: would deny {}: {} ({})", request.describe(), message, details);
        warnings.add("dry run: kritis would deny this request: " + message);
        return new AdmissionOutcome(true, result, null, warnings, List.of());
      }
      LOG.info("denied {}: {} ({})", request.describe(), message, details);
      return new AdmissionOutcome(false, result, message, warnings, List.of());
    }
    List<ImagePatch> patches = mutate ? pins(workload, verdicts) : List.of();
    return new AdmissionOutcome(true, result, null, warnings, patches);
  }

  /** Pins each allowed tag-only image to the digest it was verified by. */
  private static List<ImagePatch> pins(Workload workload, Map<String, ImageVerdict> verdicts) {
    List<ImagePatch> patches = new ArrayList<>();
    for (ContainerImage c : workload.images) {
      ImageVerdict v = verdicts.get(c.image);
      if (v == null || !v.allowed || v.digest == null || c.image.indexOf('@') >= 0) {
        continue;
      }
      patches.add(new ImagePatch(c.pointer(), c.image + "@" + v.digest));
    }
    return patches;
  }

  private static String verdictDetails(Map<String, ImageVerdict> verdicts) {
    StringBuilder sb = new StringBuilder();
    for (ImageVerdict v : verdicts.values()) {
      if (!v.allowed) {
        if (sb.length() > 0) {
          sb.append(" | ");
        }
        sb.append(v.image).append(": ").append(v.detail);
      }
    }
    return sb.toString();
  }

  private static List<String> imagesOf(Workload workload) {
    List<String> images = new ArrayList<>();
    for (ContainerImage c : workload.images) {
      images.add(c.image);
    }
    return images;
  }
}
