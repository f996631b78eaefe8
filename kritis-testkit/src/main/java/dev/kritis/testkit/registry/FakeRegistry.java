package dev.kritis.testkit.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * An in-process OCI registry on {@code 127.0.0.1} and an ephemeral port, for tests, in the style
 * of okhttp's MockWebServer: store content, script faults per path, run the code under test, then
 * assert on the {@link #requests() requests} it sent.
 *
 * <p>Serves {@code /v2/}, manifests (GET/HEAD/PUT by tag or digest, with Docker-Content-Digest),
 * blobs (GET/HEAD, monolithic POST+PUT uploads), the OCI 1.1 referrers API (switchable, to test
 * the tag-schema fallback), and a token endpoint ({@code /token}) for Bearer auth. Optional Basic
 * or Bearer authentication; blob downloads can be redirected to another fake (as registries
 * redirect to storage), which records whether credentials followed.
 */
public final class FakeRegistry implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern UPLOADS = Pattern.compile("^/v2/(.+)/blobs/uploads/(.*)$");
  private static final Pattern ENDPOINT = Pattern.compile("^/v2/(.+)/(manifests|blobs|referrers)/([^/]+)$");
  private static final Pattern STORAGE = Pattern.compile("^/storage/(.+)$");

  static {
    // The JDK server writes headers and body separately; with Nagle's algorithm on, the client's
    // delayed ACK stalls every response with a body by ~40 ms. Real registries (Go) set
    // TCP_NODELAY; so does the fake, unless a test chose otherwise.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final boolean tls;
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  /** repository → (digest → manifest) */
  private final Map<String, Map<String, StoredManifest>> manifests = new ConcurrentHashMap<>();
  /** repository → (tag → digest) */
  private final Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();
  private final Map<String, byte[]> uploads = new ConcurrentHashMap<>();
  private final List<ScriptedFault> faults = new CopyOnWriteArrayList<>();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
  private final AtomicInteger tokenCounter = new AtomicInteger();
  private volatile boolean referrersApi = true;
  private volatile String authMode = "none";
  private volatile String user;
  private volatile String password;
  private volatile long tokenExpiresIn = 300;
  private volatile FakeRegistry blobStorage;

  private static final class StoredManifest {
    final byte[] bytes;
    final String mediaType;

    StoredManifest(byte[] bytes, String mediaType) {
      this.bytes = bytes;
      this.mediaType = mediaType;
    }
  }

  private static final class ScriptedFault {
    final String method;
    final Pattern target;
    final Fault fault;
    final AtomicInteger remaining;

    ScriptedFault(String method, Pattern target, Fault fault, int times) {
      this.method = method;
      this.target = target;
      this.fault = fault;
      this.remaining = new AtomicInteger(times);
    }
  }

  private FakeRegistry(HttpServer server, ExecutorService executor, boolean tls) {
    this.server = server;
    this.executor = executor;
    this.tls = tls;
  }

  /** Starts a plain-HTTP fake on 127.0.0.1 and an ephemeral port. */
  public static FakeRegistry start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    return start(server, false);
  }

  /** Starts an HTTPS fake presenting {@code certificate}. */
  public static FakeRegistry startTls(SelfSignedCertificate certificate) throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    SSLContext context = certificate.serverContext();
    server.setHttpsConfigurator(new HttpsConfigurator(context));
    return start(server, true);
  }

  private static FakeRegistry start(HttpServer server, boolean tls) {
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-registry-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    FakeRegistry fake = new FakeRegistry(server, executor, tls);
    server.createContext("/", fake::handle);
    server.start();
    return fake;
  }

  /** {@code 127.0.0.1:port}: the registry part of image references. */
  public String hostPort() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http(s)://127.0.0.1:port}. */
  public URI baseUri() {
    return URI.create((tls ? "https" : "http") + "://" + hostPort());
  }

  // ---- content ----------------------------------------------------------------------------

  /** Stores a blob (in every repository) and returns its digest. */
  public String putBlob(byte[] content) {
    String digest = sha256(content);
    blobs.put(digest, content.clone());
    return digest;
  }

  /** Stores a manifest in {@code repository}, optionally tagged, and returns its digest. */
  public String putManifest(String repository, String tag, String mediaType, byte[] content) {
    String digest = sha256(content);
    manifests.computeIfAbsent(repository, r -> new ConcurrentHashMap<>()).put(digest, new StoredManifest(content.clone(), mediaType));
    if (tag != null) {
      tag(repository, tag, digest);
    }
    return digest;
  }

  public void tag(String repository, String tag, String digest) {
    tags.computeIfAbsent(repository, r -> new ConcurrentHashMap<>()).put(tag, digest);
  }

  public void untag(String repository, String tag) {
    Map<String, String> t = tags.get(repository);
    if (t != null) {
      t.remove(tag);
    }
  }

  // ---- behaviour --------------------------------------------------------------------------

  /** Whether {@code /v2/<name>/referrers/<digest>} is served (else 404, as registry 2.8 does). */
  public FakeRegistry referrersApi(boolean enabled) {
    this.referrersApi = enabled;
    return this;
  }

  /** Requires Basic credentials on every {@code /v2/} request. */
  public FakeRegistry requireBasic(String username, String pass) {
    this.user = username;
    this.password = pass;
    this.authMode = "basic";
    return this;
  }

  /**
   * Requires a Bearer token from {@code /token}; the token endpoint requires Basic credentials
   * when {@code username} is not null, and gives anonymous tokens otherwise.
   */
  public FakeRegistry requireBearer(String username, String pass) {
    this.user = username;
    this.password = pass;
    this.authMode = "bearer";
    return this;
  }

  /** The {@code expires_in} of issued tokens (default 300 s). */
  public FakeRegistry tokenExpiresIn(long seconds) {
    this.tokenExpiresIn = seconds;
    return this;
  }

  /** Invalidates every issued token (as a token-service key rotation would). */
  public void revokeTokens() {
    validTokens.clear();
  }

  /** Redirects blob GETs to {@code storage}'s {@code /storage/<digest>}, which serves our blobs. */
  public FakeRegistry redirectBlobsTo(FakeRegistry storage) {
    this.blobStorage = storage;
    storage.blobSource = this;
    return this;
  }

  private volatile FakeRegistry blobSource;

  /** Applies {@code fault} to every request whose method and path+query match (regex, full match). */
  public FakeRegistry fault(String method, String targetRegex, Fault fault) {
    return fault(method, targetRegex, fault, Integer.MAX_VALUE);
  }

  /** Applies {@code fault} to the next {@code times} matching requests only. */
  public FakeRegistry fault(String method, String targetRegex, Fault fault, int times) {
    faults.add(new ScriptedFault(method, Pattern.compile(targetRegex), fault, times));
    return this;
  }

  public void clearFaults() {
    faults.clear();
  }

  // ---- recording --------------------------------------------------------------------------

  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  public int requestCount() {
    return requests.size();
  }

  public void clearRequests() {
    requests.clear();
  }

  /** How many distinct client connections (client ports) sent requests. */
  public long connectionCount() {
    return requests.stream().mapToInt(RecordedRequest::remotePort).distinct().count();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---- serving ----------------------------------------------------------------------------

  private static final class Answer {
    int status;
    final Map<String, String> headers = new LinkedHashMap<>();
    byte[] body = new byte[0];

    Answer(int status) {
      this.status = status;
    }

    Answer json(String mediaType, byte[] content) {
      headers.put("Content-Type", mediaType);
      body = content;
      return this;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String target = exchange.getRequestURI().getRawPath()
          + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
      Map<String, List<String>> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
      requests.add(new RecordedRequest(method, target, headers, exchange.getRemoteAddress().getPort()));
      byte[] requestBody;
      try (InputStream in = exchange.getRequestBody()) {
        requestBody = in.readAllBytes();
      }
      Fault fault = matchFault(method, target);
      if (fault != null && !fault.delay.isZero()) {
        try {
          Thread.sleep(fault.delay.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      Answer answer;
      if (fault != null && fault.status != 0) {
        answer = new Answer(fault.status);
        if (fault.body != null) {
          answer.body = fault.body;
        }
      } else {
        answer = serve(method, target, exchange, requestBody);
      }
      if (fault != null) {
        answer.headers.putAll(fault.headers);
        if (fault.wrongDigestHeader) {
          answer.headers.put("Docker-Content-Digest", sha256(("not " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)));
        }
        if (fault.removeDigestHeader) {
          answer.headers.remove("Docker-Content-Digest");
        }
        if (fault.corruptBody && answer.body.length > 0) {
          answer.body = answer.body.clone();
          answer.body[answer.body.length / 2] ^= 0x01;
        }
      }
      write(exchange, method, answer, fault != null && fault.truncateBody);
    }
  }

  private Fault matchFault(String method, String target) {
    for (ScriptedFault f : faults) {
      if ((f.method == null || f.method.equals(method)) && f.target.matcher(target).matches()) {
        if (f.remaining.getAndDecrement() > 0) {
          return f.fault;
        }
      }
    }
    return null;
  }

  private static void write(HttpExchange exchange, String method, Answer answer, boolean truncate) throws IOException {
    answer.headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    if (method.equals("HEAD") || answer.status == 204 || answer.status == 304) {
      if (method.equals("HEAD") && answer.body.length > 0) {
        exchange.getResponseHeaders().set("Content-Length", Integer.toString(answer.body.length));
      }
      exchange.sendResponseHeaders(answer.status, -1);
      return;
    }
    exchange.sendResponseHeaders(answer.status, answer.body.length == 0 ? -1 : answer.body.length);
    if (answer.body.length > 0) {
      OutputStream out = exchange.getResponseBody();
      if (truncate) {
        out.write(answer.body, 0, answer.body.length / 2);
        out.flush();
        // Closing the connection under the client is the point: the announced length is never met.
        throw new IOException("truncated on purpose");
      }
      out.write(answer.body);
    }
  }

  private Answer serve(String method, String target, HttpExchange exchange, byte[] requestBody) throws IOException {
    String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
    String query = target.contains("?") ? target.substring(target.indexOf('?') + 1) : "";
    Matcher storage = STORAGE.matcher(path);
    if (storage.matches()) {
      FakeRegistry source = blobSource;
      byte[] blob = source == null ? null : source.blobs.get(storage.group(1));
      return blob == null ? error(404, "BLOB_UNKNOWN", "blob unknown") : new Answer(200).json("application/octet-stream", blob);
    }
    if (path.equals("/token")) {
      return token(exchange, query);
    }
    if (!path.startsWith("/v2/")) {
      return error(404, "NOT_FOUND", "not found");
    }
    Answer denied = authenticate(exchange, path);
    if (denied != null) {
      return denied;
    }
    if (path.equals("/v2/")) {
      return new Answer(200).json("application/json", "{}".getBytes(StandardCharsets.UTF_8));
    }
    Matcher uploads = UPLOADS.matcher(path);
    if (uploads.matches()) {
      return upload(method, uploads.group(1), uploads.group(2), query, requestBody);
    }
    Matcher m = ENDPOINT.matcher(path);
    if (!m.matches()) {
      return error(404, "NOT_FOUND", "no such endpoint");
    }
    String repository = m.group(1);
    String kind = m.group(2);
    String reference = m.group(3);
    switch (kind) {
      case "manifests":
        return manifest(method, repository, reference, exchange, requestBody);
      case "blobs":
        return blob(repository, reference);
      default:
        return referrers(repository, reference, query);
    }
  }

  private Answer authenticate(HttpExchange exchange, String path) {
    String mode = authMode;
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (mode.equals("basic")) {
      String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      if (expected.equals(authorization)) {
        return null;
      }
      Answer a = error(401, "UNAUTHORIZED", "authentication required");
      a.headers.put("WWW-Authenticate", "Basic realm=\"fake-registry\"");
      return a;
    }
    if (mode.equals("bearer")) {
      if (authorization != null && authorization.startsWith("Bearer ") && validTokens.contains(authorization.substring(7))) {
        return null;
      }
      Matcher m = ENDPOINT.matcher(path);
      Matcher u = UPLOADS.matcher(path);
      String repository = m.matches() ? m.group(1) : u.matches() ? u.group(1) : null;
      Answer a = error(401, "UNAUTHORIZED", "authentication required");
      a.headers.put("WWW-Authenticate", "Bearer realm=\"" + baseUri() + "/token\",service=\"fake-registry\""
          + (repository == null ? "" : ",scope=\"repository:" + repository + ":pull,push\""));
      return a;
    }
    return null;
  }

  private Answer token(HttpExchange exchange, String query) {
    if (user != null) {
      String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        return error(401, "UNAUTHORIZED", "bad credentials");
      }
    }
    String token = "token-" + tokenCounter.incrementAndGet();
    validTokens.add(token);
    return new Answer(200).json("application/json",
        ("{\"token\":\"" + token + "\",\"expires_in\":" + tokenExpiresIn + "}").getBytes(StandardCharsets.UTF_8));
  }

  private Answer manifest(String method, String repository, String reference, HttpExchange exchange, byte[] body) {
    if (method.equals("PUT")) {
      String mediaType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("application/json");
      String digest = reference.startsWith("sha256:") ? reference : null;
      String stored = putManifest(repository, digest == null ? reference : null, mediaType, body);
      if (digest != null && !digest.equals(stored)) {
        return error(400, "DIGEST_INVALID", "digest does not match content");
      }
      Answer a = new Answer(201);
      a.headers.put("Docker-Content-Digest", stored);
      a.headers.put("Location", "/v2/" + repository + "/manifests/" + stored);
      return a;
    }
    String digest = reference.contains(":") ? reference : Optional.ofNullable(tags.get(repository)).map(t -> t.get(reference)).orElse(null);
    StoredManifest manifest = digest == null ? null
        : Optional.ofNullable(manifests.get(repository)).map(ms -> ms.get(digest)).orElse(null);
    if (manifest == null) {
      return error(404, "MANIFEST_UNKNOWN", "manifest unknown");
    }
    Answer a = new Answer(200).json(manifest.mediaType, manifest.bytes);
    a.headers.put("Docker-Content-Digest", digest);
    return a;
  }

  private Answer blob(String repository, String digest) {
    byte[] blob = blobs.get(digest);
    if (blob == null) {
      return error(404, "BLOB_UNKNOWN", "blob unknown");
    }
    FakeRegistry storage = blobStorage;
    if (storage != null) {
      Answer a = new Answer(307);
      a.headers.put("Location", storage.baseUri() + "/storage/" + digest);
      return a;
    }
    Answer a = new Answer(200).json("application/octet-stream", blob);
    a.headers.put("Docker-Content-Digest", digest);
    return a;
  }

  private Answer upload(String method, String repository, String id, String query, byte[] body) {
    if (method.equals("POST")) {
      String uuid = UUID.randomUUID().toString();
      uploads.put(uuid, new byte[0]);
      Answer a = new Answer(202);
      a.headers.put("Location", "/v2/" + repository + "/blobs/uploads/" + uuid);
      a.headers.put("Docker-Upload-UUID", uuid);
      return a;
    }
    if (method.equals("PUT") && uploads.remove(id) != null) {
      String expected = null;
      for (String part : query.split("&")) {
        if (part.startsWith("digest=")) {
          expected = java.net.URLDecoder.decode(part.substring(7), StandardCharsets.UTF_8);
        }
      }
      String digest = putBlob(body);
      if (!digest.equals(expected)) {
        return error(400, "DIGEST_INVALID", "digest does not match content");
      }
      Answer a = new Answer(201);
      a.headers.put("Docker-Content-Digest", digest);
      a.headers.put("Location", "/v2/" + repository + "/blobs/" + digest);
      return a;
    }
    return error(404, "BLOB_UPLOAD_UNKNOWN", "upload unknown");
  }

  private Answer referrers(String repository, String subject, String query) throws IOException {
    if (!referrersApi) {
      return error(404, "NOT_FOUND", "page not found");
    }
    String artifactType = null;
    for (String part : query.split("&")) {
      if (part.startsWith("artifactType=")) {
        artifactType = java.net.URLDecoder.decode(part.substring(13), StandardCharsets.UTF_8);
      }
    }
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", "application/vnd.oci.image.index.v1+json");
    ArrayNode list = index.putArray("manifests");
    for (Map.Entry<String, StoredManifest> e : manifests.getOrDefault(repository, Map.of()).entrySet()) {
      JsonNode manifest;
      try {
        manifest = JSON.readTree(e.getValue().bytes);
      } catch (IOException ex) {
        continue;
      }
      JsonNode subjectNode = manifest.get("subject");
      if (subjectNode == null || !subject.equals(subjectNode.path("digest").asText())) {
        continue;
      }
      String type = manifest.has("artifactType") ? manifest.get("artifactType").asText()
          : manifest.path("config").path("mediaType").asText();
      if (artifactType != null && !artifactType.equals(type)) {
        continue;
      }
      ObjectNode d = list.addObject();
      d.put("mediaType", e.getValue().mediaType);
      d.put("digest", e.getKey());
      d.put("size", e.getValue().bytes.length);
      d.put("artifactType", type);
      if (manifest.has("annotations")) {
        d.set("annotations", manifest.get("annotations"));
      }
    }
    Answer a = new Answer(200).json("application/vnd.oci.image.index.v1+json", JSON.writeValueAsBytes(index));
    if (artifactType != null) {
      a.headers.put("OCI-Filters-Applied", "artifactType");
    }
    return a;
  }

  private static Answer error(int status, String code, String message) {
    return new Answer(status).json("application/json",
        ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}").getBytes(StandardCharsets.UTF_8));
  }

  /** {@code sha256:<hex>} of {@code content}. */
  public static String sha256(byte[] content) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
