package dev.kritis.core.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kritis.testkit.Attestations;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimpleSigningPayloadTest {
  private static final String DIGEST = Attestations.digest(1);
  private static final String VALID = "{\"critical\":{\"identity\":{\"docker-reference\":\"gcr.io/p/app\"},"
      + "\"image\":{\"docker-manifest-digest\":\"" + DIGEST + "\"},\"type\":\"atomic container signature\"},"
      + "\"optional\":{\"creator\":\"x\",\"anything\":[1,2,{\"a\":null}]}}";

  private static SimpleSigningPayload parse(String json) throws InvalidAttestationException {
    return SimpleSigningPayload.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parse_validPayload_readsTheCriticalFields() throws Exception {
    SimpleSigningPayload payload = parse(VALID);
    assertThat(payload.dockerReference()).isEqualTo("gcr.io/p/app");
    assertThat(payload.dockerManifestDigest()).isEqualTo(DIGEST);
    assertThat(payload.type()).isEqualTo("atomic container signature");
  }

  @Test
  void parse_payloadWrittenByTheTestkit_isAccepted() throws Exception {
    assertThat(SimpleSigningPayload.parse(Attestations.payload("alpine", DIGEST)).dockerReference()).isEqualTo("alpine");
  }

  @Test
  void parse_cosignPayloadWithNullOptional_isAccepted() throws Exception {
    String cosign = "{\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"d\"},"
        + "\"type\":\"cosign container image signature\"},\"optional\":null}";
    assertThat(parse(cosign).type()).isEqualTo("cosign container image signature");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "duplicate digest key | {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"a\",\"docker-manifest-digest\":\"b\"},\"type\":\"t\"}} | Duplicate field",
      "duplicate critical | {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"a\"},\"type\":\"t\"},\"critical\":{}} | Duplicate field",
      "trailing garbage | {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"a\"},\"type\":\"t\"}} x | not well-formed",
      "second document | {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"a\"},\"type\":\"t\"}}{} | not well-formed",
      "missing type | {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"a\"}}} | \"critical.type\" is missing",
      "missing critical | {\"optional\":{}} | \"critical\" is missing",
      "digest is a number | {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":1},\"type\":\"t\"}} | must be a string, got a number",
      "identity is a string | {\"critical\":{\"identity\":\"r\",\"image\":{\"docker-manifest-digest\":\"a\"},\"type\":\"t\"}} | must be an object, got a string",
      "unknown critical field | {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"a\"},\"type\":\"t\",\"extra\":1}} | unknown field \"extra\"",
      "unknown top-level field | {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"a\"},\"type\":\"t\"},\"x\":1} | unknown field \"x\"",
      "optional is a string | {\"critical\":{\"identity\":{\"docker-reference\":\"r\"},\"image\":{\"docker-manifest-digest\":\"a\"},\"type\":\"t\"},\"optional\":\"o\"} | \"optional\" must be an object or null",
      "array at top | [] | must be an object, got an array",
      "comment | /* c */ {} | not well-formed",
      "empty | '' | payload",
  })
  void parse_malformedPayload_isRejectedNamingTheProblem(String name, String json, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(InvalidAttestationException.class).hasMessageContaining(message);
  }

  @Test
  void parse_oversizedPayload_isRejected() {
    byte[] big = new byte[SimpleSigningPayload.MAX_PAYLOAD_BYTES + 1];
    assertThatThrownBy(() -> SimpleSigningPayload.parse(big)).hasMessageContaining("at most");
  }

  @Property(tries = 500)
  void parse_everyTruncation_isRejected(@ForAll("cuts") int cut) {
    String truncated = VALID.substring(0, cut % VALID.length());
    assertThatThrownBy(() -> parse(truncated)).isInstanceOf(InvalidAttestationException.class);
  }

  @Property(tries = 2000)
  void parse_arbitraryBytes_throwOnlyInvalidAttestationException(@ForAll byte[] bytes) {
    try {
      parse(new String(bytes, StandardCharsets.ISO_8859_1));
    } catch (InvalidAttestationException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<Integer> cuts() {
    return Arbitraries.integers().between(0, VALID.length() - 1);
  }
}
