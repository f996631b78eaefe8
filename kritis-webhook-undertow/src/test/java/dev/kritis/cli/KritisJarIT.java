package dev.kritis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the packaged {@code kritis.jar} exactly as the README tells a new user to: the shaded jar
 * must start, find its dependencies (Tink, Conscrypt's native library, Jackson) and give the
 * quickstart's answers.
 */
class KritisJarIT {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  private static final Path JAR = ROOT.resolve("kritis-webhook-undertow/target/kritis.jar");
  private static final String SIGNED = "nginx@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a";

  private record Result(int code, String out, String err) {}

  private static Result kritis(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("kritis-out", ".txt");
    Path err = Files.createTempFile("kritis-err", ".txt");
    Process process = new ProcessBuilder(command).directory(ROOT.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kritis.jar finished").isTrue();
    return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void quickstart_admitsTheSignedImageAndDeniesTheUnsignedOne() throws Exception {
    Result result = kritis("verify", "--policies", "examples/quickstart/policies",
        "--attestations", "examples/quickstart/attestations", SIGNED, "alpine:3.11");
    assertThat(result.code()).as(result.err()).isEqualTo(1);
    assertThat(result.out()).contains("ALLOWED image " + SIGNED + " is attested")
        .contains("DENIED  image alpine:3.11 is not attested");
  }

  @Test
  void quickstart_signedImageAlone_exitsZero() throws Exception {
    Result result = kritis("verify", "--policies", "examples/quickstart/policies",
        "--attestations", "examples/quickstart/attestations", "-o", "json", SIGNED);
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out()).contains("\"allowed\" : true");
  }

  @Test
  void badUsage_exitsTwoWithoutAStackTrace() throws Exception {
    Result result = kritis("verify", "--policies", "examples/quickstart/policies", "--output", "xml", SIGNED);
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("--output must be text or json").doesNotContain("\tat ");
  }
}
