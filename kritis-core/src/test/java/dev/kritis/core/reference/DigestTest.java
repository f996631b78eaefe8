package dev.kritis.core.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {
  @Test
  void sha256Of_matchesTheKnownValue() {
    assertThat(Digest.sha256Of("abc".getBytes(StandardCharsets.US_ASCII)).toString())
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void parse_sha512_isAccepted() throws Exception {
    Digest d = Digest.parse("sha512:" + "a".repeat(128));
    assertThat(d.algorithm()).isEqualTo("sha512");
    assertThat(d.recompute(new byte[0]).toString()).startsWith("sha512:cf83e1357eefb8bd");
  }

  @Test
  void parse_wrongLength_namesTheLengthExpectedAndGot() {
    assertThatThrownBy(() -> Digest.parse("sha256:abcd"))
        .hasMessageContaining("exactly 64").hasMessageContaining("got 4");
  }

  @Test
  void parse_unknownAlgorithm_namesTheAlternatives() {
    assertThatThrownBy(() -> Digest.parse("md5:abcd")).hasMessageContaining("expected sha256 or sha512");
  }
}
