package dev.kritis.registry;

import dev.kritis.core.internal.UntrustedText;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Reads registry documents strictly: duplicate keys and trailing content are errors. */
final class Json {
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private Json() {}

  static String describe(java.io.IOException e) {
    if (e instanceof JsonProcessingException) {
      JsonProcessingException j = (JsonProcessingException) e;
      String message = j.getOriginalMessage();
      if (j.getLocation() != null) {
        message += " (line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")";
      }
      return UntrustedText.printable(message);
    }
    return UntrustedText.printable(String.valueOf(e.getMessage()));
  }

  /** Parses an object, or throws "Tried to {action} but failed because {where} is not …". */
  static JsonNode object(byte[] body, String action, String where) throws RegistryException {
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      throw RegistryException.failed("Tried to " + action + " but failed because " + where
          + " is not well-formed JSON: " + describe(e), e);
    }
    if (node == null || !node.isObject()) {
      throw RegistryException.failed("Tried to " + action + " but failed because " + where
          + " is not a JSON object");
    }
    return node;
  }

  static String optionalText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }
}
