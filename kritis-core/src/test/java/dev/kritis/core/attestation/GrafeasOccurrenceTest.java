package dev.kritis.core.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kritis.core.reference.ImageReference;
import dev.kritis.testkit.Attestations;
import dev.kritis.testkit.TestKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GrafeasOccurrenceTest {
  private static final TestKey KEY = TestKey.generate(TestKey.Algorithm.ECDSA_P256_SHA256);
  private static final String DIGEST = Attestations.digest(7);
  private static final byte[] PAYLOAD = Attestations.payload("docker.io/library/nginx", DIGEST);

  private static List<GrafeasOccurrence> parse(String json) throws InvalidAttestationException {
    return GrafeasOccurrence.parseDocument(json.getBytes(StandardCharsets.UTF_8), "test.json");
  }

  @Test
  void parseDocument_v1Occurrence_readsPayloadSignatureKeyAndNote() throws Exception {
    String json = Attestations.occurrence("https://docker.io/library/nginx@" + DIGEST, "projects/p/notes/n", PAYLOAD, KEY, "key-1");
    GrafeasOccurrence occurrence = parse(json).get(0);
    assertThat(occurrence.noteName()).contains("projects/p/notes/n");
    Attestation attestation = occurrence.attestations().get(0);
    assertThat(attestation.payload()).isEqualTo(PAYLOAD);
    assertThat(attestation.publicKeyId()).contains("key-1");
    assertThat(attestation.origin()).isEqualTo("test.json");
  }

  @Test
  void parseDocument_v1beta1Occurrence_isReadToo() throws Exception {
    String json = Attestations.occurrenceV1beta1("https://nginx@" + DIGEST, null, PAYLOAD, KEY, null);
    GrafeasOccurrence occurrence = parse(json).get(0);
    assertThat(occurrence.attestations()).hasSize(1);
    assertThat(occurrence.attestations().get(0).payload()).isEqualTo(PAYLOAD);
  }

  @Test
  void parseDocument_list_readsEveryOccurrenceAndSkipsOtherKinds() throws Exception {
    String one = Attestations.occurrence("docker.io/library/nginx@" + DIGEST, null, PAYLOAD, KEY, null);
    String json = "{\"occurrences\": [" + one + ", {\"kind\": \"VULNERABILITY\", \"resourceUri\": \"x\"}, " + one + "], \"nextPageToken\": \"\"}";
    assertThat(parse(json)).hasSize(2);
  }

  @Test
  void isAbout_matchesNormalizedRepositoryAndExactDigest() throws Exception {
    GrafeasOccurrence occurrence = parse(Attestations.occurrence("https://nginx@" + DIGEST, null, PAYLOAD, KEY, null)).get(0);
    assertThat(occurrence.isAbout(ImageReference.parse("docker.io/library/nginx@" + DIGEST))).isTrue();
    assertThat(occurrence.isAbout(ImageReference.parse("nginx:1.25@" + DIGEST))).isTrue();
    assertThat(occurrence.isAbout(ImageReference.parse("nginx@" + Attestations.digest(8)))).isFalse();
    assertThat(occurrence.isAbout(ImageReference.parse("gcr.io/nginx@" + DIGEST))).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not json | {x | not well-formed JSON",
      "array | [] | expected a JSON object",
      "no attestation | {\"resourceUri\":\"nginx@sha256:" + "a" + "\"} | \"attestation\" is missing",
      "no resource | {\"kind\":\"ATTESTATION\",\"attestation\":{\"serializedPayload\":\"e30=\",\"signatures\":[{\"signature\":\"AA==\"}]}} | resourceUri",
      "resource without digest | {\"resourceUri\":\"https://nginx:1\",\"attestation\":{\"serializedPayload\":\"e30=\",\"signatures\":[{\"signature\":\"AA==\"}]}} | has no digest",
      "bad resource | {\"resourceUri\":\"https://NGINX\",\"attestation\":{\"serializedPayload\":\"e30=\",\"signatures\":[{\"signature\":\"AA==\"}]}} | is not an image reference",
      "no signatures | {\"resourceUri\":\"nginx@" + "sha256:0000000000000000000000000000000000000000000000000000000000000000" + "\",\"attestation\":{\"serializedPayload\":\"e30=\",\"signatures\":[]}} | must be a non-empty array",
      "bad base64 | {\"resourceUri\":\"nginx@" + "sha256:0000000000000000000000000000000000000000000000000000000000000000" + "\",\"attestation\":{\"serializedPayload\":\"!!\",\"signatures\":[{\"signature\":\"AA==\"}]}} | not valid base64",
      "signature is number | {\"resourceUri\":\"nginx@" + "sha256:0000000000000000000000000000000000000000000000000000000000000000" + "\",\"attestation\":{\"serializedPayload\":\"e30=\",\"signatures\":[{\"signature\":5}]}} | must be a string, got a number",
      "duplicate key | {\"resourceUri\":\"a\",\"resourceUri\":\"b\"} | Duplicate field",
      "occurrences not array | {\"occurrences\":{}} | must be an array",
  })
  void parseDocument_malformed_isRejectedNamingFileAndField(String name, String json, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(InvalidAttestationException.class)
        .hasMessageStartingWith("test.json").hasMessageContaining(message);
  }
}
