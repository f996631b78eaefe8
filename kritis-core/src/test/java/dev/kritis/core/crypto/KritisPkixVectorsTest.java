package dev.kritis.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of kritis's own verify_detached_test vectors (conformance/kritis-pkix-vectors.json). */
class KritisPkixVectorsTest {

  static Stream<JsonNode> cases() {
    List<JsonNode> cases = new ArrayList<>();
    SharedConformance.json("kritis-pkix-vectors.json").get("cases").forEach(cases::add);
    assertThat(cases).isNotEmpty();
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void verify_kritisVector_matchesExpectedResult(JsonNode c) throws Exception {
    SignatureAlgorithm algorithm = SignatureAlgorithm.fromName(c.get("signatureAlgorithm").asText()).orElseThrow();
    byte[] payload = c.get("payload").asText().getBytes(StandardCharsets.UTF_8);
    byte[] signature = Base64.getUrlDecoder().decode(c.get("signatureBase64Url").asText());
    if (c.get("valid").asBoolean()) {
      VerificationKey key = VerificationKey.fromPem("kritis", c.get("publicKeyPem").asText(), Optional.of(algorithm));
      assertThat(key.verify(signature, payload)).isEqualTo(payload);
      // The seed form (no algorithm) must accept it too when the algorithm is one it infers.
      VerificationKey inferred = VerificationKey.fromPem("kritis", c.get("publicKeyPem").asText(), Optional.empty());
      if (inferred.algorithms().contains(algorithm)) {
        assertThat(inferred.verify(signature, payload)).isEqualTo(payload);
      }
    } else {
      assertThatThrownBy(() -> VerificationKey.fromPem("kritis", c.get("publicKeyPem").asText(), Optional.of(algorithm))
              .verify(signature, payload))
          .isInstanceOfAny(KeyFormatException.class, GeneralSecurityException.class);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void verify_kritisVectorWithOtherPayload_isRejected(JsonNode c) {
    SignatureAlgorithm algorithm = SignatureAlgorithm.fromName(c.get("signatureAlgorithm").asText()).orElseThrow();
    byte[] signature = Base64.getUrlDecoder().decode(c.get("signatureBase64Url").asText());
    assertThatThrownBy(() -> VerificationKey.fromPem("kritis", c.get("publicKeyPem").asText(), Optional.of(algorithm))
            .verify(signature, "bad payload".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfAny(KeyFormatException.class, GeneralSecurityException.class);
  }
}
