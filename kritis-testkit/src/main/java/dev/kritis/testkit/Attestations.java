package dev.kritis.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;

/**
 * Writes what signers write: simple-signing payloads and Grafeas occurrence JSON (v1 and
 * v1beta1 shapes), signed with a {@link TestKey}. Independent of kritis-core on purpose.
 */
public final class Attestations {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Attestations() {}

  /** The simple-signing document for {@code repository@digest}, as the signer would serialize it. */
  public static byte[] payload(String dockerReference, String digest, String type) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode critical = root.putObject("critical");
    critical.putObject("identity").put("docker-reference", dockerReference);
    critical.putObject("image").put("docker-manifest-digest", digest);
    critical.put("type", type);
    return json(root);
  }

  /** An "atomic container signature" payload. */
  public static byte[] payload(String dockerReference, String digest) {
    return payload(dockerReference, digest, "atomic container signature");
  }

  /** A made-up but well-formed sha256 digest, the same for the same seed. */
  public static String digest(long seed) {
    byte[] bytes = new byte[32];
    new Random(seed).nextBytes(bytes);
    return "sha256:" + HexFormat.of().formatHex(bytes);
  }

  /** The sha256 digest of {@code content}, as {@code sha256:<hex>}. */
  public static String sha256(byte[] content) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A v1 ATTESTATION occurrence for {@code resourceUri} (e.g. {@code https://docker.io/library/nginx@sha256:…})
   * carrying {@code payload} signed by {@code key}.
   *
   * @param noteName null to leave the field out
   * @param publicKeyId null to leave the field out
   */
  public static String occurrence(String resourceUri, String noteName, byte[] payload, TestKey key, String publicKeyId) {
    return occurrence(resourceUri, noteName, payload, key.sign(payload), publicKeyId);
  }

  /** As above with a given signature (for tests that tamper with it). */
  public static String occurrence(String resourceUri, String noteName, byte[] payload, byte[] signature, String publicKeyId) {
    ObjectNode root = JSON.createObjectNode();
    root.put("name", "projects/test/occurrences/" + Math.abs(resourceUri.hashCode()));
    root.put("resourceUri", resourceUri);
    if (noteName != null) {
      root.put("noteName", noteName);
    }
    root.put("kind", "ATTESTATION");
    ObjectNode attestation = root.putObject("attestation");
    attestation.put("serializedPayload", Base64.getEncoder().encodeToString(payload));
    ObjectNode sig = attestation.putArray("signatures").addObject();
    sig.put("signature", Base64.getEncoder().encodeToString(signature));
    if (publicKeyId != null) {
      sig.put("publicKeyId", publicKeyId);
    }
    return new String(json(root), StandardCharsets.UTF_8);
  }

  /** The v1beta1 shape: {@code resource.uri} and {@code attestation.attestation.genericSignedAttestation}. */
  public static String occurrenceV1beta1(String resourceUri, String noteName, byte[] payload, TestKey key, String publicKeyId) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("resource").put("uri", resourceUri);
    if (noteName != null) {
      root.put("noteName", noteName);
    }
    root.put("kind", "ATTESTATION");
    ObjectNode generic = root.putObject("attestation").putObject("attestation").putObject("genericSignedAttestation");
    generic.put("contentType", "SIMPLE_SIGNING_JSON");
    generic.put("serializedPayload", Base64.getEncoder().encodeToString(payload));
    ArrayNode sigs = generic.putArray("signatures");
    ObjectNode sig = sigs.addObject();
    sig.put("signature", Base64.getEncoder().encodeToString(key.sign(payload)));
    if (publicKeyId != null) {
      sig.put("publicKeyId", publicKeyId);
    }
    return new String(json(root), StandardCharsets.UTF_8);
  }

  private static byte[] json(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
