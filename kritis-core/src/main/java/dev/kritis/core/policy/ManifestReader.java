package dev.kritis.core.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kritis.core.crypto.KeyFormatException;
import dev.kritis.core.crypto.SignatureAlgorithm;
import dev.kritis.core.crypto.VerificationKey;
import dev.kritis.core.internal.StrictJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns Kubernetes manifests into policy objects. Strict where a typo would weaken a policy:
 * unknown fields in a kritis object's {@code spec}, duplicate keys, wrong types and unsupported
 * kritis kinds are errors; objects of other API groups are skipped, so a directory may also hold
 * the namespace or deployment manifests that go with the policy.
 */
final class ManifestReader {
  static final String GROUP = "kritis.grafeas.io";
  static final String API_VERSION = GROUP + "/v1beta1";
  private static final String DEFAULT_NAMESPACE = "default";
  /** A Kubernetes object name (DNS-1123 subdomain). */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final int MAX_NAME_LENGTH = 253;

  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private ManifestReader() {}

  static List<Object> read(String text, String origin) throws PolicyException {
    List<JsonNode> documents = parseDocuments(text, origin);
    List<Object> result = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      JsonNode doc = documents.get(i);
      String where = documents.size() == 1 ? origin : origin + " document " + (i + 1);
      readObject(doc, where, result);
    }
    return result;
  }

  private static List<JsonNode> parseDocuments(String text, String origin) throws PolicyException {
    String trimmed = text.stripLeading();
    List<JsonNode> documents = new ArrayList<>();
    try {
      if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        JsonNode node = StrictJson.MAPPER.readTree(text);
        if (node.isArray()) {
          node.forEach(documents::add);
        } else {
          documents.add(node);
        }
      } else {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
          while (it.hasNextValue()) {
            JsonNode node = it.nextValue();
            if (node != null && !node.isNull() && !node.isMissingNode()) {
              documents.add(node);
            }
          }
        }
      }
    } catch (JsonProcessingException e) {
      throw new PolicyException(origin + ": not well-formed YAML or JSON: " + StrictJson.describe(e), e);
    } catch (IOException | RuntimeException e) {
      // SnakeYAML reports some syntax errors as unchecked exceptions wrapped by Jackson.
      throw new PolicyException(origin + ": not well-formed YAML or JSON: " + e.getMessage(), e);
    }
    return documents;
  }

  private static void readObject(JsonNode doc, String where, List<Object> out) throws PolicyException {
    if (!doc.isObject()) {
      throw new PolicyException(where + ": expected a Kubernetes object (a mapping with apiVersion and kind), got "
          + StrictJson.typeOf(doc));
    }
    String apiVersion = text(doc, "apiVersion", where, true);
    String kind = text(doc, "kind", where, true);
    if (kind.equals("List") && doc.has("items")) {
      JsonNode items = doc.get("items");
      if (!items.isArray()) {
        throw new PolicyException(where + ": List field \"items\" must be an array, got " + StrictJson.typeOf(items));
      }
      for (int i = 0; i < items.size(); i++) {
        readObject(items.get(i), where + " items[" + i + "]", out);
      }
      return;
    }
    if (!apiVersion.startsWith(GROUP + "/")) {
      return; // not ours: a Namespace or Deployment kept beside the policy
    }
    JsonNode metadata = doc.get("metadata");
    if (metadata == null || !metadata.isObject()) {
      throw new PolicyException(where + " (" + kind + "): field \"metadata\" must be an object with a name, got "
          + StrictJson.typeOf(metadata));
    }
    String name = text(metadata, "name", where + " (" + kind + ") metadata", true);
    if (name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
      throw new PolicyException(where + " (" + kind + "): metadata.name \"" + name
          + "\" is not a valid Kubernetes name (lowercase alphanumerics, '-' and '.', at most 253 characters)");
    }
    String namespace = Optional.ofNullable(text(metadata, "namespace", where + " (" + kind + " " + name + ") metadata", false))
        .orElse(DEFAULT_NAMESPACE);
    String id = where + " (" + kind + " " + name + ")";
    if (!apiVersion.equals(API_VERSION)) {
      throw new PolicyException(id + ": apiVersion \"" + apiVersion + "\" is not supported, expected " + API_VERSION);
    }
    JsonNode spec = doc.get("spec");
    if (spec == null || !spec.isObject()) {
      throw new PolicyException(id + ": field \"spec\" must be an object, got " + StrictJson.typeOf(spec));
    }
    switch (kind) {
      case "AttestationAuthority":
        out.add(authority(namespace, name, spec, id));
        break;
      case "GenericAttestationPolicy":
        out.add(policy(namespace, name, spec, id));
        break;
      case "AdmissionAllowlist":
        onlyFields(spec, id, "spec", Set.of("patterns"));
        out.add(AdmissionAllowlist.create(name, patterns(spec.get("patterns"), id, "spec.patterns", true)));
        break;
      default:
        // Fail closed: silently ignoring e.g. an ImageSecurityPolicy would admit what it forbids.
        throw new PolicyException(id + ": kind " + kind
            + " is not supported, expected AttestationAuthority, GenericAttestationPolicy or AdmissionAllowlist");
    }
  }

  private static AttestationAuthority authority(String namespace, String name, JsonNode spec, String id) throws PolicyException {
    onlyFields(spec, id, "spec", Set.of("noteReference", "publicKeyData", "publicKeyId", "publicKeys"));
    String noteReference = text(spec, "noteReference", id + " spec", false);
    List<VerificationKey> keys = new ArrayList<>();
    String keyData = text(spec, "publicKeyData", id + " spec", false);
    String keyId = text(spec, "publicKeyId", id + " spec", false);
    if (keyData != null) {
      String pem = pemFromKeyData(keyData, id);
      try {
        keys.add(VerificationKey.fromPem(keyId == null ? "" : keyId, pem, Optional.empty()));
      } catch (KeyFormatException e) {
        throw new PolicyException(id + ": spec.publicKeyData: " + e.getMessage(), e);
      }
    } else if (keyId != null) {
      throw new PolicyException(id + ": spec.publicKeyId is set but spec.publicKeyData is missing; expected both");
    }
    JsonNode publicKeys = spec.get("publicKeys");
    if (publicKeys != null && !publicKeys.isNull()) {
      if (!publicKeys.isArray()) {
        throw new PolicyException(id + ": spec.publicKeys must be an array, got " + StrictJson.typeOf(publicKeys));
      }
      for (int i = 0; i < publicKeys.size(); i++) {
        keys.add(publicKey(publicKeys.get(i), id, "spec.publicKeys[" + i + "]"));
      }
    }
    if (keys.isEmpty()) {
      throw new PolicyException(id + ": no public key; expected spec.publicKeyData (base64 of a PEM public key) or spec.publicKeys[]");
    }
    return AttestationAuthority.create(namespace, name, noteReference, keys);
  }

  /** Alibaba's form is base64 of the PEM; a raw PEM pasted in is accepted too. */
  private static String pemFromKeyData(String keyData, String id) throws PolicyException {
    String trimmed = keyData.trim();
    if (trimmed.startsWith("-----BEGIN")) {
      return trimmed;
    }
    try {
      String decoded = new String(Base64.getMimeDecoder().decode(trimmed), StandardCharsets.UTF_8);
      if (decoded.trim().startsWith("-----BEGIN")) {
        return decoded;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new PolicyException(id + ": spec.publicKeyData is neither base64 of a PEM public key nor a PEM public key"
        + " (expected e.g. the output of `base64 -w0 publickey.pem`)");
  }

  private static VerificationKey publicKey(JsonNode key, String id, String field) throws PolicyException {
    if (!key.isObject()) {
      throw new PolicyException(id + ": " + field + " must be an object, got " + StrictJson.typeOf(key));
    }
    onlyFields(key, id, field, Set.of("keyId", "keyType", "pkixPublicKey", "asciiArmoredPgpPublicKey"));
    String keyType = text(key, "keyType", id + " " + field, false);
    String keyId = text(key, "keyId", id + " " + field, false);
    if (keyType == null) {
      keyType = key.has("asciiArmoredPgpPublicKey") ? "PGP" : "PKIX";
    }
    switch (keyType) {
      case "PKIX": {
        if (keyId == null || keyId.isEmpty()) {
          throw new PolicyException(id + ": " + field + ".keyId is missing; a PKIX key needs the id its signatures name");
        }
        JsonNode pkix = key.get("pkixPublicKey");
        if (pkix == null || !pkix.isObject()) {
          throw new PolicyException(id + ": " + field + ".pkixPublicKey must be an object with publicKeyPem and signatureAlgorithm, got "
              + StrictJson.typeOf(pkix));
        }
        onlyFields(pkix, id, field + ".pkixPublicKey", Set.of("publicKeyPem", "signatureAlgorithm"));
        String pem = text(pkix, "publicKeyPem", id + " " + field + ".pkixPublicKey", true);
        String algorithmName = text(pkix, "signatureAlgorithm", id + " " + field + ".pkixPublicKey", false);
        Optional<SignatureAlgorithm> algorithm = Optional.empty();
        if (algorithmName != null) {
          algorithm = SignatureAlgorithm.fromName(algorithmName);
          if (algorithm.isEmpty()) {
            throw new PolicyException(id + ": " + field + ".pkixPublicKey.signatureAlgorithm \"" + algorithmName
                + "\" is not supported, expected one of " + java.util.Arrays.toString(SignatureAlgorithm.values()));
          }
        }
        try {
          return VerificationKey.fromPem(keyId, pem, algorithm);
        } catch (KeyFormatException e) {
          throw new PolicyException(id + ": " + field + ".pkixPublicKey: " + e.getMessage(), e);
        }
      }
      case "PGP":
        return pgpKey(key, keyId, id, field);
      default:
        throw new PolicyException(id + ": " + field + ".keyType \"" + keyType + "\" is not supported, expected PKIX or PGP");
    }
  }

  /**
   * kritis stores the armored key base64-encoded in {@code asciiArmoredPgpPublicKey}; a raw
   * armored key is accepted too. The key id is the key's fingerprint; a {@code keyId} that says
   * otherwise is an error rather than an alias, so a typo cannot pair a key with the wrong id.
   */
  private static VerificationKey pgpKey(JsonNode key, String keyId, String id, String field) throws PolicyException {
    String data = text(key, "asciiArmoredPgpPublicKey", id + " " + field, true).trim();
    String armored = data;
    if (!data.startsWith("-----BEGIN PGP")) {
      try {
        armored = new String(Base64.getMimeDecoder().decode(data), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        armored = "";
      }
      if (!armored.trim().startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
        throw new PolicyException(id + ": " + field + ".asciiArmoredPgpPublicKey is neither base64 of an armored PGP public key"
            + " nor an armored key (expected e.g. `gpg --armor --export KEY | base64 -w0`)");
      }
    }
    VerificationKey verificationKey;
    try {
      verificationKey = VerificationKey.fromPgpArmored(armored);
    } catch (KeyFormatException e) {
      throw new PolicyException(id + ": " + field + ".asciiArmoredPgpPublicKey: " + e.getMessage(), e);
    }
    if (keyId != null && !keyId.isEmpty() && !keyId.equalsIgnoreCase(verificationKey.keyId())) {
      throw new PolicyException(id + ": " + field + ".keyId \"" + keyId + "\" does not match the PGP key's fingerprint "
          + verificationKey.keyId() + "; expected the fingerprint or no keyId");
    }
    return verificationKey;
  }

  private static GenericAttestationPolicy policy(String namespace, String name, JsonNode spec, String id) throws PolicyException {
    onlyFields(spec, id, "spec", Set.of("attestationAuthorityNames", "admissionAllowlistPatterns"));
    List<String> authorities = new ArrayList<>();
    JsonNode names = spec.get("attestationAuthorityNames");
    if (names != null && !names.isNull()) {
      if (!names.isArray()) {
        throw new PolicyException(id + ": spec.attestationAuthorityNames must be a list of names, got " + StrictJson.typeOf(names));
      }
      for (int i = 0; i < names.size(); i++) {
        JsonNode n = names.get(i);
        if (!n.isTextual() || n.textValue().isEmpty()) {
          throw new PolicyException(id + ": spec.attestationAuthorityNames[" + i + "] must be a non-empty string, got "
              + StrictJson.typeOf(n));
        }
        authorities.add(n.textValue());
      }
    }
    List<ImagePattern> allowlist = patterns(spec.get("admissionAllowlistPatterns"), id, "spec.admissionAllowlistPatterns", false);
    return GenericAttestationPolicy.create(namespace, name, authorities, allowlist);
  }

  private static List<ImagePattern> patterns(JsonNode list, String id, String field, boolean required) throws PolicyException {
    List<ImagePattern> patterns = new ArrayList<>();
    if (list == null || list.isNull()) {
      if (required) {
        throw new PolicyException(id + ": " + field + " is missing, expected a list of {namePattern: …}");
      }
      return patterns;
    }
    if (!list.isArray()) {
      throw new PolicyException(id + ": " + field + " must be a list of {namePattern: …}, got " + StrictJson.typeOf(list));
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode entry = list.get(i);
      String entryField = field + "[" + i + "]";
      if (!entry.isObject()) {
        throw new PolicyException(id + ": " + entryField + " must be an object {namePattern: …}, got " + StrictJson.typeOf(entry));
      }
      onlyFields(entry, id, entryField, Set.of("namePattern"));
      String pattern = text(entry, "namePattern", id + " " + entryField, true);
      try {
        patterns.add(ImagePattern.compile(pattern));
      } catch (IllegalArgumentException e) {
        throw new PolicyException(id + ": " + entryField + ".namePattern: " + e.getMessage(), e);
      }
    }
    return patterns;
  }

  private static void onlyFields(JsonNode node, String id, String field, Set<String> allowed) throws PolicyException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw new PolicyException(id + ": " + field + " has unknown field \"" + name + "\", expected only "
            + new TreeSet<>(allowed));
      }
    }
  }

  private static String text(JsonNode node, String field, String where, boolean required) throws PolicyException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new PolicyException(where + ": field \"" + field + "\" is missing, expected a string");
      }
      return null;
    }
    if (!value.isTextual()) {
      throw new PolicyException(where + ": field \"" + field + "\" must be a string, got " + StrictJson.typeOf(value));
    }
    if (required && value.textValue().isEmpty()) {
      throw new PolicyException(where + ": field \"" + field + "\" is empty, expected a string");
    }
    return value.textValue();
  }
}
