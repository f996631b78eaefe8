package dev.kritis.webhook;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kritis.testkit.TestKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** Test helpers: real kubectl objects, AdmissionReviews around them, signed attestations, an HTTPS client. */
final class Fixtures {
  static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {}

  /** A fake but well-formed digest, stable per seed. */
  static String digest(String seed) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------- kubectl

  private static Path kubectl() {
    Path standard = Path.of("/usr/bin/kubectl");
    if (Files.isExecutable(standard)) {
      return standard;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, "kubectl");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError("these tests build AdmissionReviews from real `kubectl create ... --dry-run=client -o json`"
        + " output, but kubectl is not installed (looked in /usr/bin and on PATH); install kubectl to run them");
  }

  /** Runs {@code kubectl <args> --dry-run=client -o json} and returns the object it prints. */
  static ObjectNode kubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(kubectl().toString());
    command.addAll(List.of(args));
    command.add("--dry-run=client");
    command.add("-o");
    command.add("json");
    try {
      Path err = Files.createTempFile("kubectl", ".err");
      Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("kubectl did not finish in 60 s: " + command);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("kubectl failed (" + p.exitValue() + "): " + command + ": " + Files.readString(err));
      }
      Files.deleteIfExists(err);
      return (ObjectNode) JSON.readTree(out);
    } catch (IOException e) {
      throw new AssertionError("cannot run kubectl: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The reviewed kinds, with what an AdmissionReview says about them. */
  enum Kind {
    POD("", "v1", "Pod", "pods"),
    DEPLOYMENT("apps", "v1", "Deployment", "deployments"),
    REPLICA_SET("apps", "v1", "ReplicaSet", "replicasets"),
    STATEFUL_SET("apps", "v1", "StatefulSet", "statefulsets"),
    DAEMON_SET("apps", "v1", "DaemonSet", "daemonsets"),
    JOB("batch", "v1", "Job", "jobs"),
    CRON_JOB("batch", "v1", "CronJob", "cronjobs"),
    REPLICATION_CONTROLLER("", "v1", "ReplicationController", "replicationcontrollers");

    final String group;
    final String version;
    final String kind;
    final String resource;

    Kind(String group, String version, String kind, String resource) {
      this.group = group;
      this.version = version;
      this.kind = kind;
      this.resource = resource;
    }

    String apiVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }
  }

  /**
   * An object of {@code kind} whose containers run {@code images}: kubectl's own output for
   * Deployment, Job and CronJob; Pod and the other workloads are built around the pod template
   * kubectl made for a Deployment (`kubectl run` needs an API server even with a client dry run).
   */
  static ObjectNode workload(Kind kind, String name, String... images) {
    List<String> imageArgs = new ArrayList<>();
    for (String image : images) {
      imageArgs.add("--image=" + image);
    }
    switch (kind) {
      case DEPLOYMENT:
        return kubectl(concat(List.of("create", "deployment", name), imageArgs));
      case JOB:
        return jobLike(kubectl("create", "job", name, "--image=" + images[0]), images, false);
      case CRON_JOB:
        return jobLike(kubectl("create", "cronjob", name, "--image=" + images[0], "--schedule=*/5 * * * *"), images, true);
      default: {
        ObjectNode deployment = kubectl(concat(List.of("create", "deployment", name), imageArgs));
        ObjectNode object = JSON.createObjectNode();
        object.put("apiVersion", kind.apiVersion());
        object.put("kind", kind.kind);
        object.set("metadata", deployment.get("metadata").deepCopy());
        JsonNode template = deployment.get("spec").get("template").deepCopy();
        if (kind == Kind.POD) {
          ((ObjectNode) object.get("metadata")).setAll((ObjectNode) template.get("metadata"));
          object.set("spec", template.get("spec"));
          return object;
        }
        ObjectNode spec = object.putObject("spec");
        if (kind == Kind.REPLICATION_CONTROLLER) {
          spec.put("replicas", 1);
          spec.set("selector", deployment.get("spec").get("selector").get("matchLabels").deepCopy());
        } else {
          spec.set("selector", deployment.get("spec").get("selector").deepCopy());
        }
        if (kind == Kind.STATEFUL_SET) {
          spec.put("serviceName", name);
        }
        spec.set("template", template);
        return object;
      }
    }
  }

  /** kubectl create job/cronjob takes one --image: more containers are added beside it. */
  private static ObjectNode jobLike(ObjectNode object, String[] images, boolean cron) {
    ObjectNode spec = (ObjectNode) (cron ? object.get("spec").get("jobTemplate").get("spec") : object.get("spec"));
    ArrayNode containers = (ArrayNode) spec.get("template").get("spec").get("containers");
    for (int i = 1; i < images.length; i++) {
      containers.addObject().put("name", "c" + i).put("image", images[i]).putObject("resources");
    }
    return object;
  }

  private static String[] concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all.toArray(new String[0]);
  }

  /** The pod spec inside any reviewed object. */
  static ObjectNode podSpec(Kind kind, ObjectNode object) {
    switch (kind) {
      case POD:
        return (ObjectNode) object.get("spec");
      case CRON_JOB:
        return (ObjectNode) object.get("spec").get("jobTemplate").get("spec").get("template").get("spec");
      default:
        return (ObjectNode) object.get("spec").get("template").get("spec");
    }
  }

  static ObjectNode withInitContainer(Kind kind, ObjectNode object, String image) {
    podSpec(kind, object).withArrayProperty("initContainers").addObject().put("name", "init").put("image", image);
    return object;
  }

  static ObjectNode annotate(ObjectNode metadataOwner, String key, String value) {
    metadataOwner.withObjectProperty("metadata").withObjectProperty("annotations").put(key, value);
    return metadataOwner;
  }

  /** An AdmissionReview (v1 or v1beta1) as the API server sends it. */
  static ObjectNode review(String apiVersion, Kind kind, String namespace, String operation, ObjectNode object) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", apiVersion);
    review.put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", UUID.randomUUID().toString());
    request.putObject("kind").put("group", kind.group).put("version", kind.version).put("kind", kind.kind);
    request.putObject("resource").put("group", kind.group).put("version", kind.version).put("resource", kind.resource);
    request.set("requestKind", request.get("kind").deepCopy());
    request.set("requestResource", request.get("resource").deepCopy());
    request.put("name", object.path("metadata").path("name").asText());
    request.put("namespace", namespace);
    request.put("operation", operation);
    request.putObject("userInfo").put("username", "kubernetes-admin");
    if (object != null) {
      object.withObjectProperty("metadata").put("namespace", namespace);
    }
    request.set("object", object);
    request.putNull("oldObject");
    request.put("dryRun", false);
    return review;
  }

  static ObjectNode review(Kind kind, String namespace, ObjectNode object) {
    return review(AdmissionRequest.V1, kind, namespace, "CREATE", object);
  }

  // ---------------------------------------------------------------- signing

  /**
   * A namespace protected by one authority with an ECDSA P-256 key (the placeholder verifier's
   * algorithms are RSA, P-256 and Ed25519), and a directory of occurrences it signed.
   */
  static final class Trust {
    static final String KEY_ID = "kritis-test-key";
    final TestKey key = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
    final Path policies;
    final Path attestations;
    private int signed;

    Trust(Path root, String... namespaces) throws IOException {
      policies = Files.createDirectories(root.resolve("policies"));
      attestations = Files.createDirectories(root.resolve("attestations"));
      for (String ns : namespaces) {
        Files.writeString(policies.resolve(ns + ".yaml"), policy(ns, key));
      }
    }

    static String policy(String namespace, TestKey key) {
      return String.join("\n",
          "apiVersion: kritis.grafeas.io/v1beta1",
          "kind: AttestationAuthority",
          "metadata:",
          "  name: qa",
          "  namespace: " + namespace,
          "spec:",
          "  noteReference: projects/test/notes/qa",
          "  publicKeyId: " + KEY_ID,
          "  publicKeyData: " + key.publicKeyDataBase64(),
          "---",
          "apiVersion: kritis.grafeas.io/v1beta1",
          "kind: GenericAttestationPolicy",
          "metadata:",
          "  name: require-qa",
          "  namespace: " + namespace,
          "spec:",
          "  attestationAuthorityNames:",
          "  - qa",
          "");
    }

    /** Writes an occurrence signing {@code repository@digest} (repository normalized, e.g. docker.io/library/nginx). */
    void sign(String repository, String digest) throws IOException {
      Files.writeString(attestations.resolve("occurrence-" + (++signed) + ".json"), occurrence(key, repository, digest));
    }

    static String occurrence(TestKey key, String repository, String digest) {
      ObjectNode payload = JSON.createObjectNode();
      ObjectNode critical = payload.putObject("critical");
      critical.putObject("identity").put("docker-reference", repository);
      critical.putObject("image").put("docker-manifest-digest", digest);
      critical.put("type", "atomic container signature");
      byte[] payloadBytes = payload.toString().getBytes(StandardCharsets.UTF_8);
      ObjectNode occurrence = JSON.createObjectNode();
      occurrence.put("resourceUri", "https://" + repository + "@" + digest);
      occurrence.put("kind", "ATTESTATION");
      ObjectNode attestation = occurrence.putObject("attestation");
      attestation.put("serializedPayload", Base64.getEncoder().encodeToString(payloadBytes));
      attestation.putArray("signatures").addObject()
          .put("signature", Base64.getEncoder().encodeToString(key.sign(payloadBytes)))
          .put("publicKeyId", KEY_ID);
      return occurrence.toString();
    }
  }

  // ---------------------------------------------------------------- HTTPS

  /** Answers from the webhook. */
  static final class Reply {
    final int status;
    final String body;
    final Map<String, List<String>> headers;

    Reply(int status, String body, Map<String, List<String>> headers) {
      this.status = status;
      this.body = body;
      this.headers = headers;
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    JsonNode response() {
      return json().get("response");
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /** An HTTPS client that trusts any certificate: the server's is self-signed and made at start. */
  /** The test servers use throwaway self-signed certificates: a client that trusts any. */
  static SSLContext trustingEveryCertificate() throws java.security.GeneralSecurityException {
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, new SecureRandom());
    return ssl;
  }

  static final class Client {
    final HttpClient http;
    final int port;

    Client(int port) {
      this.port = port;
      try {
        http = HttpClient.newBuilder().sslContext(trustingEveryCertificate()).version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
      } catch (java.security.GeneralSecurityException e) {
        throw new AssertionError(e);
      }
    }

    Reply post(String path, byte[] body) {
      return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    Reply post(String path, JsonNode body) {
      return post(path, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    Reply get(String path) {
      return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    Reply send(HttpRequest request) {
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r.headers().map());
      } catch (IOException e) {
        return fail("request to " + request.uri() + " failed: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    URI uri(String path) {
      return URI.create("https://127.0.0.1:" + port + path);
    }
  }
}
