package dev.kritis.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small checker for Kubernetes structural schemas (a CRD's openAPIV3Schema), enough to test
 * that our CRDs accept good policies and reject malformed ones the way the API server with strict
 * field validation would: type, required, enum, minItems, minLength, items, and no unknown fields
 * (except under {@code metadata} and {@code x-kubernetes-preserve-unknown-fields}). CEL rules
 * ({@code x-kubernetes-validations}) are not evaluated.
 */
final class StructuralSchema {
  private StructuralSchema() {}

  static List<String> validate(JsonNode value, JsonNode schema) {
    List<String> errors = new ArrayList<>();
    check(value, schema, "", errors);
    return errors;
  }

  private static void check(JsonNode value, JsonNode schema, String path, List<String> errors) {
    String where = path.isEmpty() ? "<root>" : path;
    String type = schema.path("type").asText("");
    if (!type.isEmpty() && !hasType(value, type)) {
      errors.add(where + ": expected " + type + ", got " + AdmissionRequest.typeOf(value));
      return;
    }
    JsonNode enumValues = schema.get("enum");
    if (enumValues != null) {
      boolean found = false;
      for (JsonNode e : enumValues) {
        found |= e.equals(value);
      }
      if (!found) {
        errors.add(where + ": " + value + " is not one of " + enumValues);
      }
    }
    if (value.isTextual() && schema.has("minLength") && value.textValue().length() < schema.get("minLength").asInt()) {
      errors.add(where + ": shorter than " + schema.get("minLength").asInt());
    }
    if (value.isArray()) {
      if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
        errors.add(where + ": fewer than " + schema.get("minItems").asInt() + " items");
      }
      JsonNode items = schema.get("items");
      if (items != null) {
        for (int i = 0; i < value.size(); i++) {
          check(value.get(i), items, path + "[" + i + "]", errors);
        }
      }
    }
    if (value.isObject()) {
      JsonNode properties = schema.get("properties");
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.asText())) {
          errors.add(where + ": missing required field " + required.asText());
        }
      }
      boolean open = properties == null || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
      Set<String> known = new HashSet<>();
      if (properties != null) {
        properties.fieldNames().forEachRemaining(known::add);
      }
      for (Map.Entry<String, JsonNode> field : value.properties()) {
        String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        if (known.contains(field.getKey())) {
          check(field.getValue(), properties.get(field.getKey()), child, errors);
        } else if (!open) {
          errors.add(child + ": unknown field");
        }
      }
    }
  }

  private static boolean hasType(JsonNode value, String type) {
    switch (type) {
      case "object":
        return value.isObject();
      case "array":
        return value.isArray();
      case "string":
        return value.isTextual();
      case "integer":
        return value.isIntegralNumber();
      case "number":
        return value.isNumber();
      case "boolean":
        return value.isBoolean();
      default:
        throw new IllegalArgumentException("unsupported schema type " + type);
    }
  }
}
