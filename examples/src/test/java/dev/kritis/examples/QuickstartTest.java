package dev.kritis.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kritis.core.verify.Decision;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The quickstart directory shipped in the repository gives the answers the README promises. */
class QuickstartTest {
  private static final Path QUICKSTART = Path.of("quickstart");
  private static final String SIGNED = "nginx@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a";

  @Test
  void quickstart_admitsTheSignedImageByDigest() throws Exception {
    Decision decision = EmbeddedVerifierExample.verifierFor(QUICKSTART).verify("default", List.of(SIGNED), Duration.ofSeconds(5));
    assertThat(decision.allowed()).as(decision.toString()).isTrue();
  }

  @Test
  void quickstart_deniesAnUnsignedImage() throws Exception {
    Decision decision = EmbeddedVerifierExample.verifierFor(QUICKSTART)
        .verify("default", List.of("alpine:3.11", "nginx@sha256:" + "1".repeat(64)), Duration.ofSeconds(5));
    assertThat(decision.denialMessages()).containsExactly(
        "image alpine:3.11 is not attested", "image nginx@sha256:" + "1".repeat(64) + " is not attested");
  }

  @Test
  void quickstart_allowlistsThePauseImage() throws Exception {
    Decision decision = EmbeddedVerifierExample.verifierFor(QUICKSTART)
        .verify("default", List.of("registry.k8s.io/pause:3.10"), Duration.ofSeconds(5));
    assertThat(decision.allowed()).isTrue();
  }

  @Test
  void quickstart_otherNamespacesAreNotProtected() throws Exception {
    Decision decision = EmbeddedVerifierExample.verifierFor(QUICKSTART)
        .verify("kube-public", List.of("alpine:3.11"), Duration.ofSeconds(5));
    assertThat(decision.allowed()).isTrue();
  }
}
