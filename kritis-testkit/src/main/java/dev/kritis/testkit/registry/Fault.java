package dev.kritis.testkit.registry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A scripted misbehaviour of {@link FakeRegistry} for requests that match a method and path:
 * answer with a given status, body and headers, wait first, lie about the digest, corrupt or
 * truncate the real answer. Faults that change only part of the answer apply to what the fake
 * would otherwise have sent. Immutable; build with the static factories and {@code with…}.
 */
public final class Fault {
  final int status;
  final byte[] body;
  final Map<String, String> headers;
  final Duration delay;
  final boolean wrongDigestHeader;
  final boolean removeDigestHeader;
  final boolean corruptBody;
  final boolean truncateBody;

  private Fault(int status, byte[] body, Map<String, String> headers, Duration delay, boolean wrongDigestHeader,
      boolean removeDigestHeader, boolean corruptBody, boolean truncateBody) {
    this.status = status;
    this.body = body;
    this.headers = Map.copyOf(headers);
    this.delay = delay;
    this.wrongDigestHeader = wrongDigestHeader;
    this.removeDigestHeader = removeDigestHeader;
    this.corruptBody = corruptBody;
    this.truncateBody = truncateBody;
  }

  private static Fault none() {
    return new Fault(0, null, Map.of(), Duration.ZERO, false, false, false, false);
  }

  /** Answers {@code status} with an empty body instead of the real answer. */
  public static Fault status(int status) {
    return none().withStatus(status);
  }

  /** Answers {@code status} with a distribution error body {@code {"errors":[{code, message}]}}. */
  public static Fault error(int status, String code, String message) {
    return status(status).withBody("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}")
        .withHeader("Content-Type", "application/json");
  }

  /** 429/503 with a Retry-After header (seconds or an HTTP date). */
  public static Fault retryAfter(int status, String retryAfter) {
    return status(status).withHeader("Retry-After", retryAfter);
  }

  /** Waits before answering normally. */
  public static Fault delay(Duration delay) {
    return none().withDelay(delay);
  }

  /** The real answer, with a Docker-Content-Digest header naming other content. */
  public static Fault wrongDigestHeader() {
    return new Fault(0, null, Map.of(), Duration.ZERO, true, false, false, false);
  }

  /** The real answer without its Docker-Content-Digest header. */
  public static Fault noDigestHeader() {
    return new Fault(0, null, Map.of(), Duration.ZERO, false, true, false, false);
  }

  /** The real answer with one byte of the body changed (headers as for the real body). */
  public static Fault corruptBody() {
    return new Fault(0, null, Map.of(), Duration.ZERO, false, false, true, false);
  }

  /** Announces the real body's length but sends only half of it, then closes the connection. */
  public static Fault truncateBody() {
    return new Fault(0, null, Map.of(), Duration.ZERO, false, false, false, true);
  }

  /** Answers {@code status} with {@code body}. */
  public static Fault respond(int status, String contentType, byte[] body) {
    return status(status).withBody(body).withHeader("Content-Type", contentType);
  }

  public Fault withStatus(int newStatus) {
    return new Fault(newStatus, body, headers, delay, wrongDigestHeader, removeDigestHeader, corruptBody, truncateBody);
  }

  public Fault withBody(String text) {
    return withBody(text.getBytes(StandardCharsets.UTF_8));
  }

  public Fault withBody(byte[] newBody) {
    return new Fault(status, newBody.clone(), headers, delay, wrongDigestHeader, removeDigestHeader, corruptBody, truncateBody);
  }

  public Fault withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
    return new Fault(status, body, h, delay, wrongDigestHeader, removeDigestHeader, corruptBody, truncateBody);
  }

  public Fault withDelay(Duration newDelay) {
    return new Fault(status, body, headers, Objects.requireNonNull(newDelay), wrongDigestHeader, removeDigestHeader,
        corruptBody, truncateBody);
  }

  @Override
  public String toString() {
    return "Fault(status=" + status + ", delay=" + delay + ", headers=" + headers + ", wrongDigest=" + wrongDigestHeader
        + ", corrupt=" + corruptBody + ", truncate=" + truncateBody + ")";
  }
}
