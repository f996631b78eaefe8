package dev.kritis.testkit.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kritis.testkit.TestKey;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Pushes small images and cosign-format signatures into any registry through the distribution
 * API (monolithic POST + PUT blob uploads, PUT manifests), with optional Basic auth. There is no
 * cosign binary in the test environment; this writes what {@code cosign sign} writes: the
 * simple-signing payload as a layer of media type
 * {@code application/vnd.dev.cosign.simplesigning.v1+json} with the base64 signature in the
 * {@code dev.cosignproject.cosign/signature} annotation, under the tag {@code sha256-<hex>.sig}.
 *
 * <p>Independent of the client under test: its own HTTP calls, its own JSON.
 */
public final class ImagePusher {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
  public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
  public static final String COSIGN_ARTIFACT_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http;
  private final String authorization;

  private ImagePusher(URI base, SSLContext ssl, String username, String password) {
    this.base = base;
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER);
    if (ssl != null) {
      b.sslContext(ssl);
    }
    this.http = b.build();
    this.authorization = username == null ? null
        : "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** A pusher for {@code base} ({@code http(s)://host:port}), anonymous. */
  public static ImagePusher to(URI base, SSLContext ssl) {
    return new ImagePusher(base, ssl, null, null);
  }

  /** A pusher for {@code base} with Basic credentials (as for an htpasswd registry). */
  public static ImagePusher to(URI base, SSLContext ssl, String username, String password) {
    return new ImagePusher(base, ssl, Objects.requireNonNull(username), Objects.requireNonNull(password));
  }

  /**
   * Pushes an image: a config blob, one layer (both depending on {@code seed}, so different
   * seeds give different digests) and a manifest, tagged {@code tag}.
   *
   * @param oci OCI media types when true, Docker schema 2 otherwise
   * @return the manifest digest, {@code sha256:<hex>}
   */
  public String pushImage(String repository, String tag, String seed, boolean oci) throws IOException {
    byte[] layer = ("layer of " + seed + "\n").getBytes(StandardCharsets.UTF_8);
    String layerDigest = pushBlob(repository, layer);
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", "amd64");
    config.put("os", "linux");
    config.putObject("config").putArray("Labels").add(seed);
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.putArray("diff_ids").add(FakeRegistry.sha256(layer));
    byte[] configBytes = JSON.writeValueAsBytes(config);
    String configDigest = pushBlob(repository, configBytes);
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", oci ? OCI_MANIFEST : DOCKER_MANIFEST);
    manifest.set("config", descriptor(oci ? OCI_CONFIG : DOCKER_CONFIG, configDigest, configBytes.length));
    manifest.putArray("layers").add(descriptor(oci ? "application/vnd.oci.image.layer.v1.tar" : "application/vnd.docker.image.rootfs.diff.tar",
        layerDigest, layer.length));
    return pushManifest(repository, tag, oci ? OCI_MANIFEST : DOCKER_MANIFEST, JSON.writeValueAsBytes(manifest));
  }

  /** Pushes an OCI index over already pushed manifests (amd64, arm64, …) and tags it. */
  public String pushIndex(String repository, String tag, List<String> manifestDigests) throws IOException {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", OCI_INDEX);
    ArrayNode list = index.putArray("manifests");
    String[] arches = {"amd64", "arm64", "ppc64le", "s390x"};
    for (int i = 0; i < manifestDigests.size(); i++) {
      byte[] manifest = fetchManifest(repository, manifestDigests.get(i));
      ObjectNode d = descriptor(OCI_MANIFEST, manifestDigests.get(i), manifest.length);
      ObjectNode platform = d.putObject("platform");
      platform.put("architecture", arches[i % arches.length]);
      platform.put("os", "linux");
      list.add(d);
    }
    return pushManifest(repository, tag, OCI_INDEX, JSON.writeValueAsBytes(index));
  }

  /** The simple-signing payload cosign signs for {@code dockerReference} at {@code manifestDigest}. */
  public static byte[] simpleSigningPayload(String dockerReference, String manifestDigest) {
    return ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + dockerReference + "\"},"
        + "\"image\":{\"docker-manifest-digest\":\"" + manifestDigest + "\"},"
        + "\"type\":\"cosign container image signature\"},\"optional\":null}").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Signs {@code manifestDigest} for {@code dockerReference} with {@code key} and stores the
   * signature as cosign does, under {@code sha256-<hex>.sig} of {@code repository}.
   *
   * @return the signature manifest's digest
   */
  public String pushCosignSignature(String repository, String manifestDigest, String dockerReference, TestKey key)
      throws IOException {
    byte[] payload = simpleSigningPayload(dockerReference, manifestDigest);
    return pushCosignSignature(repository, signatureTag(manifestDigest), payload, key.sign(payload));
  }

  /** Stores an arbitrary payload and signature as a cosign signature manifest under {@code tag}. */
  public String pushCosignSignature(String repository, String tag, byte[] payload, byte[] signature) throws IOException {
    return pushManifest(repository, tag, OCI_MANIFEST, signatureManifest(repository, payload, signature, null, null));
  }

  /**
   * Stores a signature as an OCI 1.1 referrer of {@code subjectDigest} (artifact type
   * {@code artifactType}), and, when {@code tagSchema}, also adds it to the referrers tag-schema
   * index {@code sha256-<hex>} as a client must for registries without the referrers API.
   *
   * @return the referrer manifest's digest
   */
  public String pushReferrerSignature(String repository, String subjectDigest, String artifactType, byte[] payload,
      byte[] signature, boolean tagSchema) throws IOException {
    byte[] subject = fetchManifest(repository, subjectDigest);
    String subjectMediaType = JSON.readTree(subject).path("mediaType").asText(OCI_MANIFEST);
    ObjectNode subjectDescriptor = descriptor(subjectMediaType, subjectDigest, subject.length);
    byte[] manifest = signatureManifest(repository, payload, signature, artifactType, subjectDescriptor);
    String digest = pushManifest(repository, null, OCI_MANIFEST, manifest, FakeRegistry.sha256(manifest));
    if (tagSchema) {
      String tag = subjectDigest.replace(':', '-');
      ObjectNode index;
      byte[] existing = fetchManifestOrNull(repository, tag);
      if (existing != null) {
        index = (ObjectNode) JSON.readTree(existing);
      } else {
        index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        index.putArray("manifests");
      }
      ObjectNode d = descriptor(OCI_MANIFEST, digest, manifest.length);
      d.put("artifactType", artifactType);
      ((ArrayNode) index.get("manifests")).add(d);
      pushManifest(repository, tag, OCI_INDEX, JSON.writeValueAsBytes(index));
    }
    return digest;
  }

  private byte[] signatureManifest(String repository, byte[] payload, byte[] signature, String artifactType,
      ObjectNode subject) throws IOException {
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    String configDigest = pushBlob(repository, config);
    String payloadDigest = pushBlob(repository, payload);
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OCI_MANIFEST);
    if (artifactType != null) {
      manifest.put("artifactType", artifactType);
    }
    manifest.set("config", descriptor(OCI_CONFIG, configDigest, config.length));
    ObjectNode layer = descriptor(SIMPLE_SIGNING, payloadDigest, payload.length);
    layer.putObject("annotations").put(SIGNATURE_ANNOTATION, Base64.getEncoder().encodeToString(signature));
    manifest.putArray("layers").add(layer);
    if (subject != null) {
      manifest.set("subject", subject);
    }
    return JSON.writeValueAsBytes(manifest);
  }

  /** {@code sha256:<hex>} → {@code sha256-<hex>.sig}. */
  public static String signatureTag(String manifestDigest) {
    return manifestDigest.replace(':', '-') + ".sig";
  }

  /** Uploads a blob (POST, then PUT with the digest) and returns its digest. */
  public String pushBlob(String repository, byte[] content) throws IOException {
    String digest = FakeRegistry.sha256(content);
    HttpResponse<byte[]> started = send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody()));
    expect(started, 202, "start a blob upload to " + repository);
    String location = started.headers().firstValue("Location")
        .orElseThrow(() -> new IOException("blob upload answer has no Location"));
    URI upload = base.resolve(location);
    String put = upload + (upload.getRawQuery() == null ? "?" : "&") + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8);
    HttpResponse<byte[]> done = send(HttpRequest.newBuilder(URI.create(put))
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
    expect(done, 201, "finish the blob upload of " + digest + " to " + repository);
    return digest;
  }

  /** PUTs a manifest under {@code tag} (or by digest when null) and returns its digest. */
  public String pushManifest(String repository, String tag, String mediaType, byte[] manifest) throws IOException {
    return pushManifest(repository, tag, mediaType, manifest, tag == null ? FakeRegistry.sha256(manifest) : tag);
  }

  private String pushManifest(String repository, String tag, String mediaType, byte[] manifest, String reference)
      throws IOException {
    HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/manifests/" + reference))
        .header("Content-Type", mediaType)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
    expect(response, 201, "push the manifest " + repository + ":" + reference);
    return FakeRegistry.sha256(manifest);
  }

  /** GETs a manifest by tag or digest, accepting every manifest and index type. */
  public byte[] fetchManifest(String repository, String reference) throws IOException {
    byte[] body = fetchManifestOrNull(repository, reference);
    if (body == null) {
      throw new IOException("manifest " + repository + ":" + reference + " does not exist");
    }
    return body;
  }

  private byte[] fetchManifestOrNull(String repository, String reference) throws IOException {
    HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/manifests/" + reference))
        .header("Accept", String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST,
            "application/vnd.docker.distribution.manifest.list.v2+json"))
        .GET());
    if (response.statusCode() == 404) {
      return null;
    }
    expect(response, 200, "fetch the manifest " + repository + ":" + reference);
    return response.body();
  }

  /** The Docker-Content-Digest the registry reports for {@code reference} (HEAD request). */
  public String headDigest(String repository, String reference) throws IOException {
    HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/manifests/" + reference))
        .header("Accept", String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST,
            "application/vnd.docker.distribution.manifest.list.v2+json"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    expect(response, 200, "HEAD the manifest " + repository + ":" + reference);
    return response.headers().firstValue("Docker-Content-Digest")
        .orElseThrow(() -> new IOException("no Docker-Content-Digest for " + repository + ":" + reference));
  }

  /** Deletes a manifest by digest (the registry must allow deletes). */
  public void deleteManifest(String repository, String digest) throws IOException {
    HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/manifests/" + digest))
        .DELETE());
    expect(response, 202, "delete the manifest " + repository + "@" + digest);
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException {
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void expect(HttpResponse<byte[]> response, int status, String what) throws IOException {
    if (response.statusCode() != status) {
      throw new IOException("Tried to " + what + " but failed because " + response.uri() + " answered HTTP "
          + response.statusCode() + ": " + new String(response.body(), StandardCharsets.UTF_8));
    }
  }

  private static ObjectNode descriptor(String mediaType, String digest, long size) {
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", mediaType);
    d.put("digest", digest);
    d.put("size", size);
    return d;
  }
}
