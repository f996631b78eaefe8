package dev.kritis.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON reader for untrusted documents: duplicate keys and trailing content are errors
 * (an attacker must not be able to smuggle a second value past a human reviewer), and no lenient
 * extensions (comments, single quotes, NaN) are accepted. Not part of the public API.
 */
public final class StrictJson {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  private StrictJson() {}

  /** "an array", "a number", … for messages that say what was found. */
  public static String typeOf(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    switch (node.getNodeType()) {
      case ARRAY: return "an array";
      case OBJECT: return "an object";
      case STRING: return "a string";
      case NUMBER: return "a number";
      case BOOLEAN: return "a boolean";
      case NULL: return "null";
      default: return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Jackson's message without the source excerpt, which may echo secrets or megabytes. */
  public static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (e.getLocation() != null) {
      message += " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
    return message;
  }

}
