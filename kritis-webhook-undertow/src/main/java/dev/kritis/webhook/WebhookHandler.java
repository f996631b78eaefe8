package dev.kritis.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kritis.webhook.AdmissionOutcome.ImagePatch;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side: routes, body limit, AdmissionReview in and out. Health and readiness answer on
 * the IO thread (so they keep answering when every worker waits on a slow source); reviews and
 * metrics run on the worker pool.
 */
final class WebhookHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookHandler.class);
  private static final HttpString POST = Methods.POST;
  private static final HttpString GET = Methods.GET;
  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain; charset=utf-8";
  /** Kubernetes truncates longer warnings; keep each one readable as a whole. */
  private static final int MAX_WARNING = 240;

  private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build()).build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private final AdmissionReviewer reviewer;
  private final WebhookMetrics metrics;
  private final Supplier<String> notReadyReason;
  private final Supplier<String> readinessStatus;
  private final long maxBody;

  WebhookHandler(AdmissionReviewer reviewer, WebhookMetrics metrics, Supplier<String> notReadyReason,
      Supplier<String> readinessStatus, long maxBody) {
    this.reviewer = reviewer;
    this.metrics = metrics;
    this.notReadyReason = notReadyReason;
    this.readinessStatus = readinessStatus;
    this.maxBody = maxBody;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String path = exchange.getRequestPath();
    HttpString method = exchange.getRequestMethod();
    switch (path) {
      case "/healthz":
        if (expect(exchange, method, GET)) {
          text(exchange, 200, "ok\n");
        }
        return;
      case "/readyz": {
        if (expect(exchange, method, GET)) {
          text(exchange, notReadyReason.get() == null ? 200 : 503, readinessStatus.get() + "\n");
        }
        return;
      }
      case "/metrics":
        if (expect(exchange, method, GET)) {
          if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
          }
          send(exchange, 200, WebhookMetrics.CONTENT_TYPE, metrics.scrape());
        }
        return;
      case "/validate":
      case "/mutate":
        if (expect(exchange, method, POST)) {
          if (exchange.isInIoThread()) {
            exchange.dispatch(this); // verification blocks: never on the IO thread
            return;
          }
          admit(exchange, path.equals("/mutate"));
        }
        return;
      default:
        text(exchange, 404, "not found: " + path + " (expected /validate, /mutate, /healthz, /readyz or /metrics)\n");
    }
  }

  private static boolean expect(HttpServerExchange exchange, HttpString method, HttpString expected) {
    if (method.equals(expected)) {
      return true;
    }
    exchange.getResponseHeaders().put(Headers.ALLOW, expected.toString());
    text(exchange, 405, exchange.getRequestPath() + " accepts " + expected + " only\n");
    return false;
  }

  private void admit(HttpServerExchange exchange, boolean mutate) {
    long start = System.nanoTime();
    AdmissionRequest request = null;
    try {
      long declared = exchange.getRequestContentLength();
      if (declared > maxBody) {
        reject(exchange, 413, "request body of " + declared + " bytes exceeds the limit of " + maxBody + " bytes");
        return;
      }
      exchange.startBlocking();
      JsonNode review;
      try {
        review = MAPPER.readTree(new LimitedInputStream(exchange.getInputStream(), maxBody));
      } catch (BodyTooLargeException | io.undertow.server.RequestTooBigException e) {
        reject(exchange, 413, "request body exceeds the limit of " + maxBody + " bytes");
        return;
      } catch (JsonProcessingException e) {
        reject(exchange, 400, "not a JSON AdmissionReview: " + e.getOriginalMessage());
        return;
      }
      request = AdmissionRequest.from(review);
      AdmissionOutcome outcome = reviewer.review(request, mutate);
      count(outcome);
      send(exchange, 200, JSON, render(request, outcome));
    } catch (MalformedReviewException e) {
      reject(exchange, 400, e.getMessage());
    } catch (IOException e) {
      // The client went away or the connection broke: nothing to answer.
      LOG.warn("reading the request failed: {}", e.toString());
      exchange.setStatusCode(400);
      exchange.endExchange();
    } catch (RuntimeException | Error e) {
      // A bug. Deny (never allow on error), one log line, no stack trace to the client.
      LOG.error("internal error reviewing {}: {}", request == null ? "a request" : request.describe(), e.toString());
      metrics.errors.inc();
      if (request == null) {
        text(exchange, 500, "internal error\n");
      } else {
        AdmissionOutcome denied = new AdmissionOutcome(false, AdmissionOutcome.Result.ERROR,
            "kritis could not review the request: internal error", java.util.List.of(), java.util.List.of());
        send(exchange, 200, JSON, render(request, denied));
      }
    } finally {
      metrics.latency.observe((System.nanoTime() - start) / 1e9);
    }
  }

  private void count(AdmissionOutcome outcome) {
    switch (outcome.result) {
      case ALLOWED:
        metrics.allowed.inc();
        break;
      case DENIED:
        metrics.denied.inc();
        break;
      default:
        metrics.errors.inc();
        break;
    }
  }

  private void reject(HttpServerExchange exchange, int status, String reason) {
    metrics.malformed.inc();
    LOG.warn("rejected {} from {} with {}: {}", exchange.getRequestPath(), exchange.getSourceAddress(), status,
        reason.replace('\n', ' '));
    text(exchange, status, reason + "\n");
  }

  /** The AdmissionReview response: echoes apiVersion, kind and uid. */
  static byte[] render(AdmissionRequest request, AdmissionOutcome outcome) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("apiVersion", request.apiVersion);
      g.writeStringField("kind", "AdmissionReview");
      g.writeObjectFieldStart("response");
      g.writeStringField("uid", request.uid);
      g.writeBooleanField("allowed", outcome.allowed);
      if (!outcome.allowed) {
        g.writeObjectFieldStart("status");
        g.writeNumberField("code", 403);
        g.writeStringField("reason", "Forbidden");
        g.writeStringField("message", outcome.message);
        g.writeEndObject();
      }
      if (!outcome.warnings.isEmpty()) {
        g.writeArrayFieldStart("warnings");
        for (String w : outcome.warnings) {
          g.writeString(w.length() <= MAX_WARNING ? w : w.substring(0, MAX_WARNING - 1) + "…");
        }
        g.writeEndArray();
      }
      if (!outcome.patches.isEmpty()) {
        g.writeStringField("patchType", "JSONPatch");
        g.writeStringField("patch", Base64.getEncoder().encodeToString(patch(outcome)));
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing JSON to memory failed", e);
    }
    return out.toByteArray();
  }

  private static byte[] patch(AdmissionOutcome outcome) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.writeStartArray();
      for (ImagePatch p : outcome.patches) {
        g.writeStartObject();
        g.writeStringField("op", "replace");
        g.writeStringField("path", p.pointer);
        g.writeStringField("value", p.value);
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    return out.toByteArray();
  }

  private static void text(HttpServerExchange exchange, int status, String body) {
    send(exchange, status, TEXT, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpServerExchange exchange, int status, String contentType, byte[] body) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }

  /** Thrown by {@link LimitedInputStream}; an IOException so Jackson passes it through. */
  static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException() {
      super("request body too large");
    }
  }

  /** Stops reading after {@code limit} bytes: chunked bodies carry no length to check up front. */
  static final class LimitedInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    LimitedInputStream(InputStream in, long limit) {
      this.in = in;
      this.remaining = limit;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0 && --remaining < 0) {
        throw new BodyTooLargeException();
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = in.read(buf, off, (int) Math.min(len, remaining + 1));
      if (n > 0) {
        remaining -= n;
        if (remaining < 0) {
          throw new BodyTooLargeException();
        }
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
