package dev.kritis.testkit.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * Runs the real registry from Debian's {@code docker-registry} package (distribution 2.8) on a
 * loopback port with storage in a temporary directory: plain HTTP, or TLS with a fresh
 * self-signed certificate and htpasswd (bcrypt) Basic authentication.
 *
 * <p>Needs {@code /usr/bin/docker-registry} (package {@code docker-registry}) and, for the TLS
 * mode, {@code htpasswd} (package {@code apache2-utils}). When a tool is missing, {@link #start}
 * fails with a message saying what to install: a test that silently skips proves nothing.
 * The binary's path may be overridden with the {@code kritis.docker-registry} system property
 * or the {@code KRITIS_DOCKER_REGISTRY} environment variable.
 */
public final class DockerRegistryServer implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path directory;
  private final int port;
  private final SelfSignedCertificate certificate;
  private final String username;
  private final String password;

  private DockerRegistryServer(Process process, Path directory, int port, SelfSignedCertificate certificate,
      String username, String password) {
    this.process = process;
    this.directory = directory;
    this.port = port;
    this.certificate = certificate;
    this.username = username;
    this.password = password;
  }

  /** Plain HTTP, no authentication. */
  public static DockerRegistryServer startPlain() throws IOException {
    return start(false, null, null);
  }

  /** TLS with a self-signed certificate for 127.0.0.1 and Basic auth (htpasswd, bcrypt). */
  public static DockerRegistryServer startTls(String username, String password) throws IOException {
    return start(true, username, password);
  }

  private static DockerRegistryServer start(boolean tls, String username, String password) throws IOException {
    Path binary = Path.of(System.getProperty("kritis.docker-registry",
        System.getenv().getOrDefault("KRITIS_DOCKER_REGISTRY", "/usr/bin/docker-registry")));
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException("The registry binary " + binary + " is missing: these tests run the real"
          + " registry. Install it with `apt-get install -y docker-registry apache2-utils`"
          + " (or set KRITIS_DOCKER_REGISTRY to its path).");
    }
    Path dir = Files.createTempDirectory("kritis-docker-registry");
    int port = freePort();
    SelfSignedCertificate certificate = null;
    StringBuilder config = new StringBuilder()
        .append("version: 0.1\n")
        .append("log:\n  level: warn\n  accesslog:\n    disabled: true\n")
        .append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("storage")).append('\n')
        .append("  delete:\n    enabled: true\n")
        .append("http:\n  addr: 127.0.0.1:").append(port).append('\n')
        .append("  secret: ").append(UUID.randomUUID()).append('\n');
    if (tls) {
      certificate = SelfSignedCertificate.generate();
      config.append("  tls:\n    certificate: ").append(certificate.certificatePem()).append('\n')
          .append("    key: ").append(certificate.privateKeyPem()).append('\n');
      Path htpasswd = dir.resolve("htpasswd");
      Files.writeString(htpasswd, htpasswd(username, password), StandardCharsets.UTF_8);
      config.append("auth:\n  htpasswd:\n    realm: kritis-test\n    path: ").append(htpasswd).append('\n');
    }
    Path configFile = dir.resolve("config.yml");
    Files.writeString(configFile, config.toString(), StandardCharsets.UTF_8);
    Path log = dir.resolve("registry.log");
    Process process = new ProcessBuilder(List.of(binary.toString(), "serve", configFile.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    DockerRegistryServer server = new DockerRegistryServer(process, dir, port, certificate, username, password);
    try {
      server.awaitReady(log);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static String htpasswd(String username, String password) throws IOException {
    Path tool = Path.of("/usr/bin/htpasswd");
    if (!Files.isExecutable(tool)) {
      throw new IllegalStateException("htpasswd is missing: the TLS registry needs bcrypt htpasswd entries."
          + " Install it with `apt-get install -y apache2-utils`.");
    }
    Process p = new ProcessBuilder(List.of(tool.toString(), "-Bbn", username, password)).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("htpasswd -Bbn failed: " + out);
      }
      return out.trim() + "\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running htpasswd", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private void awaitReady(Path log) throws IOException {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
    if (certificate != null) {
      builder.sslContext(certificate.clientContext());
    }
    HttpClient client = builder.build();
    Instant giveUp = Instant.now().plus(READY_TIMEOUT);
    while (Instant.now().isBefore(giveUp)) {
      if (!process.isAlive()) {
        throw new IOException("docker-registry exited with status " + process.exitValue() + " before it was ready: "
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      try {
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(baseUri().resolve("/v2/"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200 || response.statusCode() == 401) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for docker-registry", e);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for docker-registry", e);
      }
    }
    throw new IOException("docker-registry did not answer on " + baseUri() + " within " + READY_TIMEOUT + ": "
        + Files.readString(log, StandardCharsets.UTF_8));
  }

  /** {@code 127.0.0.1:port}: the registry part of image references. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  public URI baseUri() {
    return URI.create((certificate != null ? "https" : "http") + "://" + hostPort());
  }

  /** The CA bundle clients need (TLS mode), i.e. the server's self-signed certificate. */
  public Path caBundle() {
    if (certificate == null) {
      throw new IllegalStateException("plain-HTTP registry has no certificate");
    }
    return certificate.certificatePem();
  }

  /** A client TLS context trusting the server (TLS mode), or null in plain mode. */
  public SSLContext clientSslContext() {
    return certificate == null ? null : certificate.clientContext();
  }

  /** A pusher with this registry's TLS trust and credentials. */
  public ImagePusher pusher() {
    return username == null ? ImagePusher.to(baseUri(), clientSslContext())
        : ImagePusher.to(baseUri(), clientSslContext(), username, password);
  }

  public String username() {
    return username;
  }

  /**
   * Writes a Docker {@code config.json} holding this registry's credentials (key {@code host:port},
   * {@code auth} = base64 of {@code user:password}), as {@code docker login} would.
   */
  public Path writeDockerConfig(Path file) throws IOException {
    if (username == null) {
      throw new IllegalStateException("this registry runs without authentication; there are no credentials to write");
    }
    String auth = java.util.Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    Files.writeString(file, "{\"auths\":{\"" + hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
    return file;
  }

  public String password() {
    return password;
  }

  /** Stops the registry (SIGTERM, then SIGKILL after 5 s) and deletes its storage. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    deleteTree(directory);
    if (certificate != null) {
      deleteTree(certificate.directory());
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is not worth failing a test for
    }
  }
}
