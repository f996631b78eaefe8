package dev.kritis.core.attestation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kritis.core.internal.StrictJson;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.reference.InvalidReferenceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Grafeas (Container Analysis) ATTESTATION occurrence: which image it is about, which note it
 * was filed under, and its signatures as {@link Attestation}s.
 *
 * <p>Both API shapes are read. v1: {@code resourceUri}, {@code noteName}, {@code kind},
 * {@code attestation.serializedPayload} (base64), {@code attestation.signatures[]{signature,
 * publicKeyId}}. v1beta1: {@code resource.uri} or {@code resourceUri},
 * {@code attestation.attestation.genericSignedAttestation{serializedPayload, signatures[]}} or
 * {@code attestation.attestation.pgpSignedAttestation{signature, pgpKeyId}}. Fields Grafeas adds
 * (create time, name, …) are ignored; the fields above are checked strictly.
 */
public final class GrafeasOccurrence {
  private static final String HTTPS = "https://";

  private final String resourceUri;
  private final ImageReference resource;
  private final String noteName;
  private final List<Attestation> attestations;

  private GrafeasOccurrence(String resourceUri, ImageReference resource, String noteName, List<Attestation> attestations) {
    this.resourceUri = resourceUri;
    this.resource = resource;
    this.noteName = noteName;
    this.attestations = List.copyOf(attestations);
  }

  /**
   * Parses one JSON document: a single occurrence, or {@code {"occurrences": [...]}} as the list
   * API returns it. Occurrences of other kinds (vulnerabilities, builds) are skipped.
   *
   * @param origin names the document in messages, e.g. a file path
   * @throws InvalidAttestationException naming the origin, the occurrence index and the field
   */
  public static List<GrafeasOccurrence> parseDocument(byte[] json, String origin) throws InvalidAttestationException {
    Objects.requireNonNull(origin, "origin");
    JsonNode root;
    try {
      root = StrictJson.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidAttestationException(origin + ": not well-formed JSON: " + StrictJson.describe(e), e);
    } catch (IOException e) {
      throw new InvalidAttestationException(origin + ": cannot be read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidAttestationException(origin + ": expected a JSON object (an occurrence or {\"occurrences\": [...]}), got "
          + StrictJson.typeOf(root));
    }
    List<GrafeasOccurrence> result = new ArrayList<>();
    if (root.has("occurrences")) {
      JsonNode list = root.get("occurrences");
      if (!list.isArray()) {
        throw new InvalidAttestationException(origin + ": \"occurrences\" must be an array, got " + StrictJson.typeOf(list));
      }
      for (int i = 0; i < list.size(); i++) {
        parseOne(list.get(i), origin + "#occurrences[" + i + "]").ifPresent(result::add);
      }
    } else {
      parseOne(root, origin).ifPresent(result::add);
    }
    return result;
  }

  private static Optional<GrafeasOccurrence> parseOne(JsonNode node, String where) throws InvalidAttestationException {
    if (!node.isObject()) {
      throw new InvalidAttestationException(where + ": an occurrence must be an object, got " + StrictJson.typeOf(node));
    }
    String kind = optionalText(node, "kind", where);
    if (kind != null && !kind.equals("ATTESTATION")) {
      return Optional.empty();
    }
    JsonNode attestationNode = node.get("attestation");
    if (attestationNode == null) {
      throw new InvalidAttestationException(where + ": field \"attestation\" is missing, expected an attestation occurrence");
    }
    requireObject(attestationNode, "attestation", where);
    String uri = optionalText(node, "resourceUri", where);
    if (uri == null && node.has("resource")) {
      requireObject(node.get("resource"), "resource", where);
      uri = optionalText(node.get("resource"), "uri", where + " resource");
    }
    if (uri == null) {
      throw new InvalidAttestationException(where + ": field \"resourceUri\" (or \"resource.uri\") is missing, expected the image URI with its digest");
    }
    String imageText = uri.startsWith(HTTPS) ? uri.substring(HTTPS.length()) : uri;
    ImageReference resource;
    try {
      resource = ImageReference.parse(imageText);
    } catch (InvalidReferenceException e) {
      throw new InvalidAttestationException(where + ": resourceUri \"" + uri + "\" is not an image reference: " + e.getMessage(), e);
    }
    if (resource.digest().isEmpty()) {
      throw new InvalidAttestationException(where + ": resourceUri \"" + uri + "\" has no digest, expected …@sha256:<hex>");
    }
    String noteName = optionalText(node, "noteName", where);
    List<Attestation> attestations = new ArrayList<>();
    JsonNode inner = attestationNode.get("attestation");
    if (inner != null) {
      // v1beta1: attestation.attestation.{genericSignedAttestation | pgpSignedAttestation}
      requireObject(inner, "attestation.attestation", where);
      JsonNode generic = inner.get("genericSignedAttestation");
      JsonNode pgp = inner.get("pgpSignedAttestation");
      if (generic == null && pgp == null) {
        throw new InvalidAttestationException(where + ": \"attestation.attestation\" has neither genericSignedAttestation nor pgpSignedAttestation");
      }
      if (generic != null) {
        requireObject(generic, "attestation.attestation.genericSignedAttestation", where);
        readGeneric(generic, "attestation.attestation.genericSignedAttestation", where, noteName, attestations);
      }
      if (pgp != null) {
        requireObject(pgp, "attestation.attestation.pgpSignedAttestation", where);
        String field = "attestation.attestation.pgpSignedAttestation";
        String signature = requiredText(pgp, "signature", where + " " + field);
        attestations.add(Attestation.builder()
            .signature(signature.getBytes(StandardCharsets.UTF_8))
            .publicKeyId(optionalText(pgp, "pgpKeyId", where + " " + field))
            .noteName(noteName)
            .origin(where)
            .build());
      }
    } else {
      readGeneric(attestationNode, "attestation", where, noteName, attestations);
    }
    return Optional.of(new GrafeasOccurrence(uri, resource, noteName, attestations));
  }

  private static void readGeneric(JsonNode node, String field, String where, String noteName, List<Attestation> out)
      throws InvalidAttestationException {
    byte[] payload = base64(requiredText(node, "serializedPayload", where + " " + field), field + ".serializedPayload", where);
    JsonNode signatures = node.get("signatures");
    if (signatures == null || !signatures.isArray() || signatures.isEmpty()) {
      throw new InvalidAttestationException(where + ": \"" + field + ".signatures\" must be a non-empty array, got "
          + StrictJson.typeOf(signatures));
    }
    for (int i = 0; i < signatures.size(); i++) {
      JsonNode s = signatures.get(i);
      String sField = field + ".signatures[" + i + "]";
      requireObject(s, sField, where);
      out.add(Attestation.builder()
          .payload(payload)
          .signature(base64(requiredText(s, "signature", where + " " + sField), sField + ".signature", where))
          .publicKeyId(optionalText(s, "publicKeyId", where + " " + sField))
          .noteName(noteName)
          .origin(where)
          .build());
    }
  }

  /** Grafeas writes standard base64; some tools write base64url. Both are accepted, strictly. */
  private static byte[] base64(String text, String field, String where) throws InvalidAttestationException {
    try {
      if (text.indexOf('-') >= 0 || text.indexOf('_') >= 0) {
        return Base64.getUrlDecoder().decode(text);
      }
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidAttestationException(where + ": \"" + field + "\" is not valid base64: " + e.getMessage(), e);
    }
  }

  private static void requireObject(JsonNode node, String field, String where) throws InvalidAttestationException {
    if (!node.isObject()) {
      throw new InvalidAttestationException(where + ": \"" + field + "\" must be an object, got " + StrictJson.typeOf(node));
    }
  }

  private static String requiredText(JsonNode node, String field, String where) throws InvalidAttestationException {
    String value = optionalText(node, field, where);
    if (value == null || value.isEmpty()) {
      throw new InvalidAttestationException(where + ": field \"" + field + "\" is missing or empty, expected a string");
    }
    return value;
  }

  private static String optionalText(JsonNode node, String field, String where) throws InvalidAttestationException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new InvalidAttestationException(where + ": field \"" + field + "\" must be a string, got " + StrictJson.typeOf(value));
    }
    return value.textValue();
  }

  /** The resource URI as written in the occurrence. */
  public String resourceUri() {
    return resourceUri;
  }

  public Optional<String> noteName() {
    return Optional.ofNullable(noteName);
  }

  public List<Attestation> attestations() {
    return attestations;
  }

  /**
   * Whether this occurrence is about {@code image}: the same repository after normalization
   * ({@code alpine} ≡ {@code docker.io/library/alpine}) and the same digest.
   */
  public boolean isAbout(ImageReference image) {
    return resource.repository().equals(image.repository()) && resource.digest().equals(image.digest());
  }

  /** The image this occurrence is about, normalized, with its digest. */
  public ImageReference resource() {
    return resource;
  }
}
