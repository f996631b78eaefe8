package dev.kritis.core.attestation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kritis.core.internal.StrictJson;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * A simple-signing document (the containers/image "atomic container signature" format, used by
 * cosign and Binary Authorization):
 *
 * <pre>{"critical": {"identity": {"docker-reference": "gcr.io/p/app"},
 *              "image": {"docker-manifest-digest": "sha256:…"},
 *              "type": "atomic container signature"},
 *  "optional": {…}}</pre>
 *
 * <p>Parsing is strict, as the format's specification requires of a consumer: a duplicate key,
 * an unknown key in {@code critical}, a value of the wrong type, a missing field or anything after
 * the document is an error, never "the last one wins". {@code optional} may hold anything.
 */
public final class SimpleSigningPayload {
  /** The {@code critical.type} values this library accepts. */
  public static final Set<String> ACCEPTED_TYPES = Set.of(
      "atomic container signature",
      "cosign container image signature",
      "Google cloud binauthz container signature");

  /** Payloads are a few hundred bytes; anything this large is not one. */
  static final int MAX_PAYLOAD_BYTES = 256 * 1024;

  private final String dockerReference;
  private final String dockerManifestDigest;
  private final String type;

  private SimpleSigningPayload(String dockerReference, String dockerManifestDigest, String type) {
    this.dockerReference = dockerReference;
    this.dockerManifestDigest = dockerManifestDigest;
    this.type = type;
  }

  /**
   * Parses a payload.
   *
   * @throws InvalidAttestationException naming the field that is missing, repeated, of the wrong
   *     type or unknown, or the JSON syntax error
   */
  public static SimpleSigningPayload parse(byte[] json) throws InvalidAttestationException {
    Objects.requireNonNull(json, "json");
    if (json.length > MAX_PAYLOAD_BYTES) {
      throw new InvalidAttestationException(
          "payload is " + json.length + " bytes, at most " + MAX_PAYLOAD_BYTES + " expected");
    }
    JsonNode root;
    try {
      root = StrictJson.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidAttestationException("payload is not well-formed JSON: " + StrictJson.describe(e), e);
    } catch (java.io.IOException e) {
      throw new InvalidAttestationException("payload cannot be read: " + e.getMessage(), e);
    }
    ObjectNode top = object(root, "payload");
    onlyFields(top, "payload", Set.of("critical", "optional"));
    JsonNode optional = top.get("optional");
    if (optional != null && !optional.isNull() && !optional.isObject()) {
      throw new InvalidAttestationException("payload field \"optional\" must be an object or null, got "
          + StrictJson.typeOf(optional));
    }
    ObjectNode critical = object(top.get("critical"), "critical");
    onlyFields(critical, "critical", Set.of("identity", "image", "type"));
    ObjectNode identity = object(critical.get("identity"), "critical.identity");
    onlyFields(identity, "critical.identity", Set.of("docker-reference"));
    ObjectNode image = object(critical.get("image"), "critical.image");
    onlyFields(image, "critical.image", Set.of("docker-manifest-digest"));
    return new SimpleSigningPayload(
        text(identity.get("docker-reference"), "critical.identity.docker-reference"),
        text(image.get("docker-manifest-digest"), "critical.image.docker-manifest-digest"),
        text(critical.get("type"), "critical.type"));
  }

  private static ObjectNode object(JsonNode node, String field) throws InvalidAttestationException {
    if (node == null) {
      throw new InvalidAttestationException("payload field \"" + field + "\" is missing, expected an object");
    }
    if (!node.isObject()) {
      throw new InvalidAttestationException(
          "payload field \"" + field + "\" must be an object, got " + StrictJson.typeOf(node));
    }
    return (ObjectNode) node;
  }

  private static void onlyFields(ObjectNode node, String where, Set<String> allowed)
      throws InvalidAttestationException {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new InvalidAttestationException("payload object \"" + where + "\" has unknown field \""
            + name + "\", expected only " + new java.util.TreeSet<>(allowed));
      }
    }
  }

  private static String text(JsonNode node, String field) throws InvalidAttestationException {
    if (node == null) {
      throw new InvalidAttestationException("payload field \"" + field + "\" is missing, expected a string");
    }
    if (!node.isTextual()) {
      throw new InvalidAttestationException(
          "payload field \"" + field + "\" must be a string, got " + StrictJson.typeOf(node));
    }
    return node.textValue();
  }

  /** {@code critical.identity.docker-reference}, as written by the signer. */
  public String dockerReference() {
    return dockerReference;
  }

  /** {@code critical.image.docker-manifest-digest}, as written by the signer. */
  public String dockerManifestDigest() {
    return dockerManifestDigest;
  }

  /** {@code critical.type}. */
  public String type() {
    return type;
  }

  @Override
  public String toString() {
    return "SimpleSigningPayload(" + dockerReference + "@" + dockerManifestDigest + ", type=" + type + ")";
  }
}
