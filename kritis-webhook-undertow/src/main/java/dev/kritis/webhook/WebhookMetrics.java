package dev.kritis.webhook;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** The webhook's Prometheus metrics, in a registry of its own (several servers may share a JVM in tests). */
final class WebhookMetrics {
  static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  final CounterDataPoint allowed;
  final CounterDataPoint denied;
  final CounterDataPoint errors;
  final CounterDataPoint malformed;
  final CounterDataPoint cacheHits;
  final CounterDataPoint cacheMisses;
  final CounterDataPoint sourceErrors;
  final CounterDataPoint timeouts;
  final CounterDataPoint policyReloadFailures;
  final Gauge policyObjects;
  final Histogram latency;

  WebhookMetrics() {
    Counter decisions = Counter.builder().name("kritis_admission_decisions_total")
        .help("Admission decisions by result: allowed, denied (not attested), error (could not verify)")
        .labelNames("result").withoutExemplars().register(registry);
    allowed = decisions.labelValues("allowed");
    denied = decisions.labelValues("denied");
    errors = decisions.labelValues("error");
    malformed = Counter.builder().name("kritis_admission_malformed_requests_total")
        .help("Requests answered 400 or 413: not a well-formed AdmissionReview, or too large").withoutExemplars().register(registry);
    Counter cache = Counter.builder().name("kritis_verification_cache_total")
        .help("Image verification cache lookups by outcome").labelNames("outcome").withoutExemplars().register(registry);
    cacheHits = cache.labelValues("hit");
    cacheMisses = cache.labelValues("miss");
    Counter problems = Counter.builder().name("kritis_verification_errors_total")
        .help("Image verifications that could not finish, by cause: source (attestation source or registry error), timeout")
        .labelNames("cause").withoutExemplars().register(registry);
    sourceErrors = problems.labelValues("source");
    timeouts = problems.labelValues("timeout");
    policyReloadFailures = Counter.builder().name("kritis_policy_reload_failures_total")
        .help("Policy reloads rejected; the last good policy set stays in force").withoutExemplars().register(registry).labelValues();
    policyObjects = Gauge.builder().name("kritis_policy_objects")
        .help("Objects in the policy set in force").register(registry);
    latency = Histogram.builder().name("kritis_admission_duration_seconds")
        .help("Time to answer an admission review, from body read to response")
        .classicOnly()
        .withoutExemplars()
        .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .register(registry);
  }

  byte[] scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    writer.write(out, registry.scrape());
    return out.toByteArray();
  }
}
