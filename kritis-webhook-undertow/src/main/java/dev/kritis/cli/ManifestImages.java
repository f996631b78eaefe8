package dev.kritis.cli;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kritis.cli.Args.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The container images of the Kubernetes manifests a deploy tool is about to apply, grouped by
 * the namespace each object will land in. Every {@code containers}, {@code initContainers} and
 * {@code ephemeralContainers} list anywhere in an object counts, so pod templates of any depth
 * (Deployments, CronJobs, and custom kinds that embed a pod spec) are covered.
 */
final class ManifestImages {
  private static final YAMLMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final Set<String> CONTAINER_LISTS = Set.of("containers", "initContainers", "ephemeralContainers");

  private ManifestImages() {}

  /**
   * @param defaultNamespace where objects without {@code metadata.namespace} go, as with
   *     {@code kubectl apply -n}
   * @return namespace → images in first-seen order
   */
  static Map<String, Set<String>> read(List<Path> paths, String defaultNamespace) throws UsageException {
    Map<String, Set<String>> byNamespace = new LinkedHashMap<>();
    for (Path path : paths) {
      for (Path file : files(path)) {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class)
            .readValues(Files.readString(file, StandardCharsets.UTF_8))) {
          while (docs.hasNextValue()) {
            collect(docs.nextValue(), defaultNamespace, byNamespace, file);
          }
        } catch (IOException | RuntimeException e) {
          throw new UsageException("--manifests: cannot read " + file + ": " + e.getMessage());
        }
      }
    }
    return byNamespace;
  }

  private static List<Path> files(Path path) throws UsageException {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      throw new UsageException("--manifests " + path + ": no such file or directory");
    }
    try (Stream<Path> walk = Files.walk(path)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml") || p.toString().endsWith(".json"))
          .sorted(Comparator.comparing(Path::toString)).collect(Collectors.toList());
    } catch (IOException e) {
      throw new UsageException("--manifests: cannot list " + path + ": " + e.getMessage());
    }
  }

  private static void collect(JsonNode doc, String defaultNamespace, Map<String, Set<String>> out, Path file)
      throws UsageException {
    if (doc == null || !doc.isObject()) {
      return;
    }
    if (doc.path("kind").asText().equals("List") && doc.path("items").isArray()) {
      for (JsonNode item : doc.get("items")) {
        collect(item, defaultNamespace, out, file);
      }
      return;
    }
    String namespace = doc.path("metadata").path("namespace").asText(defaultNamespace);
    List<String> images = new ArrayList<>();
    walk(doc, images, file);
    if (!images.isEmpty()) {
      out.computeIfAbsent(namespace, n -> new LinkedHashSet<>()).addAll(images);
    }
  }

  private static void walk(JsonNode node, List<String> images, Path file) throws UsageException {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        if (CONTAINER_LISTS.contains(field.getKey()) && field.getValue().isArray()) {
          for (JsonNode container : field.getValue()) {
            JsonNode image = container.get("image");
            if (image == null || !image.isTextual() || image.asText().isEmpty()) {
              // A container without an image would be rejected by the API server; never skip it silently.
              throw new UsageException("--manifests: " + file + ": container \"" + container.path("name").asText("?")
                  + "\" has no image");
            }
            images.add(image.asText());
          }
        } else {
          walk(field.getValue(), images, file);
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        walk(element, images, file);
      }
    }
  }
}
