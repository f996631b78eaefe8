package dev.kritis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Command-line mistakes: exit code 2 and a message naming the option, before anything starts. */
class ServeCommandTest {
  @TempDir
  static Path tmp;

  static String[] run(int expectedCode, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ServeCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(expectedCode);
    return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void help_printsEveryOption() {
    String out = run(Main.ALLOWED, "--help")[0];
    for (String option : new String[] {"--tls-cert", "--tls-key", "--tls-self-signed", "--port", "--policies", "--kubernetes",
        "--attestations", "--namespace-exempt", "--dry-run", "--fail-open", "--deadline", "--max-body", "--self-image"}) {
      assertThat(out).contains(option);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--policies DIR                                  | HTTPS only",
      "--tls-self-signed                               | give --policies DIR",
      "--tls-self-signed --policies DIR --port 70000   | --port \"70000\" is not a port number",
      "--tls-self-signed --policies DIR --deadline 8   | --deadline \"8\" is not a positive duration",
      "--tls-self-signed --policies DIR --deadline 0s  | --deadline \"0s\" is not a positive duration",
      "--tls-self-signed --policies DIR --max-body -1  | --max-body \"-1\" is not a positive size",
      "--tls-self-signed --policies DIR --max-body 1G  | --max-body \"1G\" is not a positive size",
      "--tls-self-signed --policies /nonexistent       | --policies /nonexistent: no such file or directory",
      "--tls-self-signed --policies DIR --attestations /nonexistent | --attestations: attestations directory /nonexistent does not exist",
      "--tls-self-signed --policies DIR --self-image UPPER:case:x   | --self-image:",
      "--tls-self-signed --policies DIR --frobnicate   | unknown option \"--frobnicate\"",
      "--tls-self-signed --tls-cert a --tls-key b --policies DIR | --tls-self-signed excludes",
      "--tls-cert /nonexistent.pem --tls-key /nonexistent.key --policies DIR | /nonexistent.pem",
      "--tls-self-signed --policies DIR --docker-config /nonexistent.json | bad registry configuration",
      "--tls-self-signed --policies DIR --grafeas-url ftp://x | --grafeas-url expects an http(s) URL",
      "--tls-self-signed --policies DIR --insecure-registry a/b | --insecure-registry expects HOST[:PORT]",
  })
  void badCommandLine_isUsageError(String args, String message) {
    String[] argv = args.trim().replace("DIR", tmp.toString()).split("\\s+");
    assertThat(run(Main.USAGE, argv)[1]).contains(message);
  }

  @Test
  void durationsAndSizes_parse() throws Exception {
    assertThat(Args.duration("8s", "--deadline")).isEqualTo(Duration.ofSeconds(8));
    assertThat(Args.duration("750ms", "--deadline")).isEqualTo(Duration.ofMillis(750));
    assertThat(Args.duration("PT2S", "--deadline")).isEqualTo(Duration.ofSeconds(2));
    assertThat(ServeCommand.parseSize("3Mi", "--max-body")).isEqualTo(3L * 1024 * 1024);
    assertThat(ServeCommand.parseSize("65536", "--max-body")).isEqualTo(65536);
  }
}
