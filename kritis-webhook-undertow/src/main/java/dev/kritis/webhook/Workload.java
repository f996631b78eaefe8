package dev.kritis.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The images a reviewed object would run, found by walking its JSON tree: the pod spec of a Pod,
 * the pod template of a workload, the job template's pod template of a CronJob.
 */
final class Workload {
  static final String BREAKGLASS_ANNOTATION = "kritis.grafeas.io/breakglass";

  /** One container's image, and where it is (the pointer is built only when a patch needs it). */
  static final class ContainerImage {
    final String image;
    private final String podSpecPointer;
    private final String list;
    private final int index;

    ContainerImage(String image, String podSpecPointer, String list, int index) {
      this.image = image;
      this.podSpecPointer = podSpecPointer;
      this.list = list;
      this.index = index;
    }

    /** The JSON pointer of the {@code image} field, e.g. {@code /spec/template/spec/containers/0/image}. */
    String pointer() {
      return podSpecPointer + "/" + list + "/" + index + "/image";
    }
  }

  /** Where the pod spec sits, by reviewed kind; the group is checked too, so a CRD named "Pod" is not reviewed. */
  private static final Map<String, String[]> POD_SPEC_PATHS = Map.of(
      "Pod", new String[] {"spec"},
      "ReplicationController", new String[] {"spec", "template", "spec"},
      "Deployment", new String[] {"spec", "template", "spec"},
      "ReplicaSet", new String[] {"spec", "template", "spec"},
      "StatefulSet", new String[] {"spec", "template", "spec"},
      "DaemonSet", new String[] {"spec", "template", "spec"},
      "Job", new String[] {"spec", "template", "spec"},
      "CronJob", new String[] {"spec", "jobTemplate", "spec", "template", "spec"});
  private static final Map<String, List<String>> GROUPS = Map.of(
      "Pod", List.of(""),
      "ReplicationController", List.of(""),
      "Deployment", List.of("apps", "extensions"),
      "ReplicaSet", List.of("apps", "extensions"),
      "StatefulSet", List.of("apps"),
      "DaemonSet", List.of("apps", "extensions"),
      "Job", List.of("batch"),
      "CronJob", List.of("batch"));
  /** JSON pointer of the pod spec, by kind. */
  private static final Map<String, String> POINTERS = Map.of(
      "Pod", "/spec",
      "ReplicationController", "/spec/template/spec",
      "Deployment", "/spec/template/spec",
      "ReplicaSet", "/spec/template/spec",
      "StatefulSet", "/spec/template/spec",
      "DaemonSet", "/spec/template/spec",
      "Job", "/spec/template/spec",
      "CronJob", "/spec/jobTemplate/spec/template/spec");
  private static final String[] CONTAINER_LISTS = {"initContainers", "containers", "ephemeralContainers"};

  final List<ContainerImage> images;
  final boolean breakglass;

  private Workload(List<ContainerImage> images, boolean breakglass) {
    this.images = images;
    this.breakglass = breakglass;
  }

  /** Whether requests for this kind and subresource are reviewed at all. */
  static boolean isReviewed(String group, String kind, String subResource) {
    List<String> groups = GROUPS.get(kind);
    if (groups == null || !groups.contains(group)) {
      return false;
    }
    return subResource.isEmpty() || (kind.equals("Pod") && subResource.equals("ephemeralcontainers"));
  }

  /**
   * Walks a reviewed object.
   *
   * @throws MalformedReviewException when a field on the way has the wrong type
   */
  static Workload of(String kind, JsonNode object) throws MalformedReviewException {
    String[] path = POD_SPEC_PATHS.get(kind);
    if (path == null) {
      throw new IllegalArgumentException("not a reviewed kind: " + kind);
    }
    boolean breakglass = hasBreakglass(object, path, 0);
    JsonNode node = object;
    for (int i = 0; i < path.length; i++) {
      JsonNode next = node.get(path[i]);
      if (next == null || next.isNull()) {
        return new Workload(List.of(), breakglass); // nothing that runs: the API server rejects it anyway
      }
      if (!next.isObject()) {
        throw new MalformedReviewException("field \"" + where(path, i + 1) + "\" must be an object, got "
            + AdmissionRequest.typeOf(next));
      }
      // The pod template's metadata is where `kubectl annotate` on a rollout puts the annotation.
      if (path[i].equals("template") && hasBreakglass(next, path, i + 1)) {
        breakglass = true;
      }
      node = next;
    }
    String pointer = POINTERS.get(kind);
    List<ContainerImage> images = new ArrayList<>(4);
    for (String list : CONTAINER_LISTS) {
      JsonNode containers = node.get(list);
      if (containers == null || containers.isNull()) {
        continue;
      }
      if (!containers.isArray()) {
        throw new MalformedReviewException("field \"" + where(path, path.length) + "." + list + "\" must be an array, got "
            + AdmissionRequest.typeOf(containers));
      }
      for (int i = 0; i < containers.size(); i++) {
        JsonNode container = containers.get(i);
        if (!container.isObject()) {
          throw new MalformedReviewException("field \"" + where(path, path.length) + "." + list + "[" + i
              + "]\" must be an object, got " + AdmissionRequest.typeOf(container));
        }
        JsonNode image = container.get("image");
        if (image == null || image.isNull()) {
          continue; // no image, nothing runs; the API server requires one where it matters
        }
        if (!image.isTextual()) {
          throw new MalformedReviewException("field \"" + where(path, path.length) + "." + list + "[" + i
              + "].image\" must be a string, got " + AdmissionRequest.typeOf(image));
        }
        images.add(new ContainerImage(image.textValue(), pointer, list, i));
      }
    }
    return new Workload(images, breakglass);
  }

  /** The dotted field name of the first {@code n} path elements, for messages (built only on error). */
  private static String where(String[] path, int n) {
    StringBuilder sb = new StringBuilder("request.object");
    for (int i = 0; i < n; i++) {
      sb.append('.').append(path[i]);
    }
    return sb.toString();
  }

  private static boolean hasBreakglass(JsonNode object, String[] path, int depth) throws MalformedReviewException {
    JsonNode metadata = object.get("metadata");
    if (metadata == null || metadata.isNull()) {
      return false;
    }
    if (!metadata.isObject()) {
      throw new MalformedReviewException("field \"" + where(path, depth) + ".metadata\" must be an object, got " + AdmissionRequest.typeOf(metadata));
    }
    JsonNode annotations = metadata.get("annotations");
    if (annotations == null || annotations.isNull()) {
      return false;
    }
    if (!annotations.isObject()) {
      throw new MalformedReviewException("field \"" + where(path, depth) + ".metadata.annotations\" must be an object, got "
          + AdmissionRequest.typeOf(annotations));
    }
    JsonNode value = annotations.get(BREAKGLASS_ANNOTATION);
    return value != null && value.isTextual() && value.textValue().equals("true");
  }
}
