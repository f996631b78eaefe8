package dev.kritis.registry;

import dev.kritis.core.internal.UntrustedText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends one logical HTTP request: bounded body, per-request timeout, the caller's deadline,
 * retries with jittered exponential backoff on 429/502/503/504 and I/O errors (honouring
 * Retry-After), and redirects followed by hand so that credentials never go to another host.
 *
 * <p>Bodies are read through a subscriber that stops at the size limit, and every wait is bounded
 * by the deadline: a server that dribbles a body is cut off, not waited for.
 */
final class HttpTransport {
  private static final Set<Integer> RETRIABLE = Set.of(429, 502, 503, 504);
  private static final int MAX_REDIRECTS = 5;
  private static final long ERROR_BODY_LIMIT = 64 * 1024;

  private final HttpClient client;
  private final Duration requestTimeout;
  private final int maxAttempts;
  private final Duration baseBackoff;
  private final Duration maxBackoff;
  private final Clock clock;
  private final AtomicLong requests = new AtomicLong();

  HttpTransport(HttpClient client, Duration requestTimeout, int maxAttempts, Duration baseBackoff,
      Duration maxBackoff, Clock clock) {
    this.client = client;
    this.requestTimeout = requestTimeout;
    this.maxAttempts = maxAttempts;
    this.baseBackoff = baseBackoff;
    this.maxBackoff = maxBackoff;
    this.clock = clock;
  }

  /** HTTP requests sent so far, counting every retry, redirect and token request. */
  long requestCount() {
    return requests.get();
  }

  /** What to send. Authorization is kept apart so redirects to another host can drop it. */
  static final class Request {
    final String method;
    final URI uri;
    final Map<String, String> headers = new LinkedHashMap<>();
    final String authorization;
    final byte[] body;
    final long maxBytes;

    Request(String method, URI uri, String authorization, byte[] body, long maxBytes) {
      this.method = method;
      this.uri = uri;
      this.authorization = authorization;
      this.body = body;
      this.maxBytes = maxBytes;
    }

    Request header(String name, String value) {
      headers.put(name, value);
      return this;
    }
  }

  /** A complete response: status, headers, the whole (bounded) body and the final URI. */
  static final class Response {
    final int status;
    final HttpHeaders headers;
    final byte[] body;
    final URI uri;

    Response(int status, HttpHeaders headers, byte[] body, URI uri) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.uri = uri;
    }

    Optional<String> header(String name) {
      return headers.firstValue(name);
    }
  }

  /**
   * Sends {@code request}, retrying and following redirects, until a final response or the
   * deadline.
   *
   * @param action "Tried to <action>" in messages, e.g. "fetch the manifest of x:y"
   */
  Response send(Request request, Instant deadline, String action) throws RegistryException {
    IOException lastError = null;
    Response last = null;
    for (int attempt = 1; ; attempt++) {
      requireTime(deadline, action, request.uri, lastError);
      try {
        last = sendFollowingRedirects(request, deadline, action);
        lastError = null;
      } catch (BodyTooLargeException e) {
        throw RegistryException.failed("Tried to " + action + " but failed because " + request.uri + " sent "
            + e.getMessage() + ", more than the limit of " + request.maxBytes + " bytes", e);
      } catch (IOException e) {
        lastError = e;
      }
      if (attempt >= maxAttempts || (last != null && lastError == null && !RETRIABLE.contains(last.status))) {
        break;
      }
      Duration delay = backoff(attempt);
      if (lastError == null && last != null) {
        Optional<Duration> retryAfter = retryAfter(last);
        if (retryAfter.isPresent()) {
          delay = retryAfter.get();
          if (clock.instant().plus(delay).isAfter(deadline)) {
            throw RegistryException.deadline("Tried to " + action + " but failed because " + request.uri
                + " answered HTTP " + last.status + " and asked to retry after " + delay.toMillis()
                + " ms, which is past the deadline");
          }
        }
      }
      Instant wakeUp = clock.instant().plus(delay);
      if (!wakeUp.isBefore(deadline)) {
        break; // no time for another attempt: report what we have
      }
      sleep(delay, action);
    }
    if (lastError != null) {
      if (!clock.instant().isBefore(deadline)) {
        throw RegistryException.deadline("Tried to " + action + " but failed because the deadline passed while "
            + request.uri + " did not answer (" + describe(lastError) + ")");
      }
      throw RegistryException.failed("Tried to " + action + " but failed because " + explain(lastError, request.uri),
          lastError);
    }
    return last;
  }

  /** Why an exchange failed, in the words a user can act on. */
  private static String explain(IOException e, URI uri) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException) {
        return "the TLS handshake with " + uri + " failed (" + describe(e)
            + "); if the registry uses a private CA, pass its certificate as the CA bundle";
      }
      if (t instanceof java.net.ConnectException || t instanceof java.net.http.HttpConnectTimeoutException
          || t instanceof java.net.UnknownHostException) {
        return uri + " could not be reached (" + describe(e) + ")";
      }
    }
    return "the connection to " + uri + " failed during the exchange (" + describe(e) + ")";
  }

  private void requireTime(Instant deadline, String action, URI uri, IOException lastError) throws RegistryException {
    if (!clock.instant().isBefore(deadline)) {
      throw RegistryException.deadline("Tried to " + action + " but failed because the deadline passed before "
          + uri + " answered" + (lastError == null ? "" : " (" + describe(lastError) + ")"));
    }
  }

  private Response sendFollowingRedirects(Request request, Instant deadline, String action)
      throws IOException, RegistryException {
    URI uri = request.uri;
    String method = request.method;
    String authorization = request.authorization;
    for (int hop = 0; ; hop++) {
      Response response = sendOnce(request, method, uri, authorization, deadline, action);
      int status = response.status;
      if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
        return response;
      }
      if (hop >= MAX_REDIRECTS) {
        throw RegistryException.failed("Tried to " + action + " but failed because " + request.uri
            + " redirected more than " + MAX_REDIRECTS + " times");
      }
      String location = response.header("Location").orElseThrow(() -> RegistryException.failed(
          "Tried to " + action + " but failed because " + response.uri + " answered HTTP " + status
              + " without a Location header"));
      URI next;
      try {
        next = uri.resolve(location);
      } catch (IllegalArgumentException e) {
        throw RegistryException.failed("Tried to " + action + " but failed because " + response.uri
            + " redirected to an invalid URI \"" + UntrustedText.printable(location) + "\"", e);
      }
      String scheme = String.valueOf(next.getScheme()).toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http")) {
        throw RegistryException.failed("Tried to " + action + " but failed because " + response.uri
            + " redirected to " + next + ", which is not an http(s) URI");
      }
      if ("https".equalsIgnoreCase(uri.getScheme()) && scheme.equals("http")) {
        throw RegistryException.failed("Tried to " + action + " but failed because " + response.uri
            + " redirected from https to plain http (" + next + ")");
      }
      // Blob downloads are routinely redirected to a storage service (S3, GCS, a CDN). The
      // registry's credentials are for the registry only: never send them to another origin.
      if (!sameOrigin(uri, next)) {
        authorization = null;
      }
      if (status == 303 && !method.equals("HEAD")) {
        method = "GET";
      }
      uri = next;
    }
  }

  static boolean sameOrigin(URI a, URI b) {
    return String.valueOf(a.getScheme()).equalsIgnoreCase(String.valueOf(b.getScheme()))
        && String.valueOf(a.getHost()).equalsIgnoreCase(String.valueOf(b.getHost()))
        && port(a) == port(b);
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private Response sendOnce(Request request, String method, URI uri, String authorization, Instant deadline,
      String action) throws IOException, RegistryException {
    Duration remaining = Duration.between(clock.instant(), deadline);
    if (remaining.isNegative() || remaining.isZero()) {
      throw RegistryException.deadline("Tried to " + action + " but failed because the deadline passed before "
          + uri + " was asked");
    }
    Duration timeout = remaining.compareTo(requestTimeout) < 0 ? remaining : requestTimeout;
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout);
    request.headers.forEach(builder::header);
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    boolean withBody = request.body != null && method.equals(request.method);
    builder.method(method, withBody ? HttpRequest.BodyPublishers.ofByteArray(request.body)
        : HttpRequest.BodyPublishers.noBody());
    // A HEAD answer announces the size of the GET body in Content-Length but carries none.
    BoundedBodyHandler handler = new BoundedBodyHandler(request.maxBytes, method.equals("HEAD"));
    requests.incrementAndGet();
    CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(builder.build(), handler);
    try {
      HttpResponse<byte[]> response = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return new Response(response.statusCode(), response.headers(), response.body(), uri);
    } catch (TimeoutException e) {
      future.cancel(true);
      handler.cancel();
      throw new java.net.http.HttpTimeoutException("no complete answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      future.cancel(true);
      handler.cancel();
      Thread.currentThread().interrupt();
      throw RegistryException.failed("Tried to " + action + " but failed because the thread was interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof BodyTooLargeException) {
        throw (BodyTooLargeException) cause;
      }
      if (cause instanceof IOException) {
        if (cause.getCause() instanceof BodyTooLargeException) {
          throw (BodyTooLargeException) cause.getCause();
        }
        throw (IOException) cause;
      }
      if (cause instanceof IllegalArgumentException) {
        throw RegistryException.failed("Tried to " + action + " but failed because the request to " + uri
            + " is invalid: " + cause.getMessage(), cause);
      }
      throw new IOException(String.valueOf(cause), cause);
    }
  }

  private Duration backoff(int attempt) {
    long cap = Math.min(maxBackoff.toMillis(), baseBackoff.toMillis() << Math.min(attempt - 1, 20));
    // Full jitter: many clients retrying after the same outage must not arrive together.
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
  }

  /** Retry-After as delta-seconds or an HTTP date (RFC 9110 section 10.2.3). */
  Optional<Duration> retryAfter(Response response) {
    Optional<String> header = response.header("Retry-After");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get().trim();
    try {
      long seconds = Long.parseLong(value);
      return Optional.of(Duration.ofSeconds(Math.max(0, Math.min(seconds, 86_400))));
    } catch (NumberFormatException e) {
      // not seconds: try a date
    }
    try {
      ZonedDateTime when = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration delay = Duration.between(clock.instant(), when.toInstant());
      return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static void sleep(Duration delay, String action) throws RegistryException {
    try {
      Thread.sleep(Math.max(0, delay.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryException.failed("Tried to " + action + " but failed because the thread was interrupted");
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + UntrustedText.printable(message));
  }

  /** Signals a body over the limit; an IOException so that it travels through the client. */
  static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(String message) {
      super(message);
    }
  }

  /**
   * Collects at most {@code maxBytes}; more (announced by Content-Length or actually sent)
   * cancels the exchange, which closes the connection instead of draining an attacker's body.
   */
  static final class BoundedBodyHandler implements HttpResponse.BodyHandler<byte[]> {
    private final long maxBytes;
    private final boolean head;
    private volatile BoundedSubscriber subscriber;

    BoundedBodyHandler(long maxBytes, boolean head) {
      this.maxBytes = maxBytes;
      this.head = head;
    }

    @Override
    public BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
      long announced = head ? -1 : info.headers().firstValueAsLong("Content-Length").orElse(-1);
      // Error and redirect bodies are read (for their message) up to a small limit of their own.
      long limit = info.statusCode() >= 300 ? ERROR_BODY_LIMIT : maxBytes;
      BoundedSubscriber s = new BoundedSubscriber(limit, announced);
      subscriber = s;
      return s;
    }

    void cancel() {
      BoundedSubscriber s = subscriber;
      if (s != null) {
        s.cancel();
      }
    }
  }

  static final class BoundedSubscriber implements BodySubscriber<byte[]> {
    private final long maxBytes;
    private final long announced;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
    private volatile Flow.Subscription subscription;

    BoundedSubscriber(long maxBytes, long announced) {
      this.maxBytes = maxBytes;
      this.announced = announced;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (announced > maxBytes) {
        s.cancel();
        result.completeExceptionally(new BodyTooLargeException("a body of " + announced + " bytes (Content-Length)"));
        return;
      }
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        int n = item.remaining();
        if (buffer.size() + (long) n > maxBytes) {
          subscription.cancel();
          result.completeExceptionally(new BodyTooLargeException("a body of more than " + maxBytes + " bytes"));
          return;
        }
        byte[] chunk = new byte[n];
        item.get(chunk);
        buffer.write(chunk, 0, n);
      }
      subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      result.complete(buffer.toByteArray());
    }

    void cancel() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      result.completeExceptionally(new IOException("cancelled"));
    }
  }
}
