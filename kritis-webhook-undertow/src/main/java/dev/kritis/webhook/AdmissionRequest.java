package dev.kritis.webhook;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The fields of an AdmissionReview's {@code request} the webhook uses, checked for type. The
 * object stays a Jackson tree: the webhook walks it rather than binding it to model classes.
 */
final class AdmissionRequest {
  static final String V1 = "admission.k8s.io/v1";
  static final String V1BETA1 = "admission.k8s.io/v1beta1";

  final String apiVersion;
  final String uid;
  final String group;
  final String kind;
  final String subResource;
  final String namespace;
  final String name;
  final String operation;
  /** The object after the change; null for DELETE and CONNECT. */
  final JsonNode object;

  private AdmissionRequest(String apiVersion, String uid, String group, String kind, String subResource,
      String namespace, String name, String operation, JsonNode object) {
    this.apiVersion = apiVersion;
    this.uid = uid;
    this.group = group;
    this.kind = kind;
    this.subResource = subResource;
    this.namespace = namespace;
    this.name = name;
    this.operation = operation;
    this.object = object;
  }

  /** Checks the envelope and the request fields; the object itself is checked while walking it. */
  static AdmissionRequest from(JsonNode review) throws MalformedReviewException {
    if (review == null || !review.isObject()) {
      throw new MalformedReviewException("expected an AdmissionReview object, got " + typeOf(review));
    }
    String apiVersion = requiredText(review, "apiVersion", "");
    if (!apiVersion.equals(V1) && !apiVersion.equals(V1BETA1)) {
      throw new MalformedReviewException("apiVersion \"" + apiVersion + "\" is not supported, expected " + V1 + " or " + V1BETA1);
    }
    String kind = requiredText(review, "kind", "");
    if (!kind.equals("AdmissionReview")) {
      throw new MalformedReviewException("kind \"" + kind + "\" is not AdmissionReview");
    }
    JsonNode request = review.get("request");
    if (request == null || !request.isObject()) {
      throw new MalformedReviewException("field \"request\" must be an object, got " + typeOf(request));
    }
    String uid = requiredText(request, "uid", "request.");
    if (uid.isEmpty()) {
      throw new MalformedReviewException("field \"request.uid\" is empty");
    }
    JsonNode gvk = request.get("kind");
    if (gvk == null || !gvk.isObject()) {
      throw new MalformedReviewException("field \"request.kind\" must be an object {group, version, kind}, got " + typeOf(gvk));
    }
    String group = optionalText(gvk, "group", "request.kind.");
    String objectKind = requiredText(gvk, "kind", "request.kind.");
    String operation = requiredText(request, "operation", "request.");
    String subResource = optionalText(request, "subResource", "request.");
    String namespace = optionalText(request, "namespace", "request.");
    String name = optionalText(request, "name", "request.");
    JsonNode object = request.get("object");
    if (object != null && object.isNull()) {
      object = null;
    }
    if (object != null && !object.isObject()) {
      throw new MalformedReviewException("field \"request.object\" must be an object, got " + typeOf(object));
    }
    JsonNode dryRun = request.get("dryRun");
    if (dryRun != null && !dryRun.isNull() && !dryRun.isBoolean()) {
      throw new MalformedReviewException("field \"request.dryRun\" must be a boolean, got " + typeOf(dryRun));
    }
    return new AdmissionRequest(apiVersion, uid, group == null ? "" : group, objectKind,
        subResource == null ? "" : subResource, namespace == null ? "" : namespace, name == null ? "" : name,
        operation, object);
  }

  private static String requiredText(JsonNode node, String field, String prefix) throws MalformedReviewException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new MalformedReviewException("field \"" + prefix + field + "\" is missing, expected a string");
    }
    if (!value.isTextual()) {
      throw new MalformedReviewException("field \"" + prefix + field + "\" must be a string, got " + typeOf(value));
    }
    return value.textValue();
  }

  private static String optionalText(JsonNode node, String field, String prefix) throws MalformedReviewException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new MalformedReviewException("field \"" + prefix + field + "\" must be a string, got " + typeOf(value));
    }
    return value.textValue();
  }

  static String typeOf(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isNull()) {
      return "null";
    }
    if (node.isObject()) {
      return "an object";
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isNumber()) {
      return "a number";
    }
    return node.getNodeType().toString();
  }

  /** A short identification for logs: {@code Deployment default/web uid=…}. */
  String describe() {
    return operation + " " + kind + (subResource.isEmpty() ? "" : "/" + subResource) + " "
        + (namespace.isEmpty() ? "" : namespace + "/") + (name.isEmpty() ? "(unnamed)" : name) + " uid=" + uid;
  }
}
