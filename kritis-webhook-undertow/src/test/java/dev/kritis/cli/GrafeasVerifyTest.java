package dev.kritis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.kritis.testkit.Attestations;
import dev.kritis.testkit.Manifests;
import dev.kritis.testkit.TestKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kritis verify --grafeas-url}: attestations filed in a Grafeas server (here a small fake on
 * loopback that answers the occurrences list call) admit the image; the request carries the
 * note, the resource filter and the bearer token.
 */
class GrafeasVerifyTest {
  static final TestKey KEY = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
  static final String NOTE = "projects/prod/notes/release";
  static final String DIGEST = Attestations.digest(41);
  /** Port 1 on loopback refuses at once: the image's registry is "down", Grafeas alone decides. */
  static final String IMAGE = "127.0.0.1:1/team/app@" + DIGEST;

  @TempDir Path dir;
  HttpServer grafeas;
  final List<String> requests = new CopyOnWriteArrayList<>();
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws Exception {
    String occurrence = Attestations.occurrence("https://" + IMAGE, NOTE, Attestations.payload("127.0.0.1:1/team/app", DIGEST),
        KEY, "release-key");
    grafeas = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    grafeas.createContext("/", exchange -> {
      requests.add(URLDecoder.decode(exchange.getRequestURI().getRawPath() + "?" + exchange.getRequestURI().getRawQuery(),
          StandardCharsets.UTF_8) + " auth=" + exchange.getRequestHeaders().getFirst("Authorization"));
      byte[] body = ("{\"occurrences\": [" + occurrence + "]}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    grafeas.start();
  }

  @AfterEach
  void stop() {
    grafeas.stop(0);
  }

  private int verify(String image) throws Exception {
    Path policies = Files.createDirectories(dir.resolve("policies"));
    Files.writeString(policies.resolve("p.yaml"), Manifests.documents(
        Manifests.seedAuthority("prod", "release", NOTE, KEY, "release-key"),
        Manifests.policy("prod", "gap", List.of("release"), List.of())));
    Path token = dir.resolve("token");
    Files.writeString(token, "s3cret-token\n");
    return Main.run(new String[] {"verify", "--policies", policies.toString(), "-n", "prod",
        "--grafeas-url", "http://127.0.0.1:" + grafeas.getAddress().getPort(), "--grafeas-token-file", token.toString(),
        "--timeout", "10s", image},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void verify_attestationInGrafeas_admitsTheImage() throws Exception {
    int code = verify(IMAGE);
    String output = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(output + err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(output).contains("ALLOWED image " + IMAGE + " is attested");
    assertThat(requests).anySatisfy(r -> assertThat(r)
        .startsWith("/v1/" + NOTE + "/occurrences?")
        .contains("resourceUrl=\"https://127.0.0.1:1/team/app@" + DIGEST + "\"")
        .endsWith("auth=Bearer s3cret-token"));
  }

  @Test
  void verify_otherDigest_isNotAttestedByTheOccurrence() throws Exception {
    String other = "127.0.0.1:1/team/app@" + Attestations.digest(42);
    assertThat(verify(other)).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("image " + other + " is not attested");
  }
}
