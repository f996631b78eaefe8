package dev.kritis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kritis.core.policy.PolicyException;
import dev.kritis.core.policy.PolicySet;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** deploy/*.yaml: every document is the Kubernetes type it claims, and the CRD schemas fit the policies. */
class DeployManifestsTest {
  static final Path DEPLOY = Path.of(System.getProperty("user.dir")).resolve("../deploy").normalize();
  static final Path POLICIES = Path.of("src/test/resources/policies");
  static final YAMLMapper YAML = new YAMLMapper();
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static List<Path> manifests() throws IOException {
    try (Stream<Path> files = Files.list(DEPLOY)) {
      List<Path> list = files.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
      assertThat(list).as("manifests in " + DEPLOY).isNotEmpty();
      return list;
    }
  }

  static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(Files.readString(file))) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  static List<HasMetadata> typedObjects() throws IOException {
    List<HasMetadata> all = new ArrayList<>();
    for (Path file : manifests()) {
      for (JsonNode doc : documents(file)) {
        all.add(SERIALIZATION.unmarshal(doc.toString()));
      }
    }
    return all;
  }

  @ParameterizedTest
  @MethodSource("manifests")
  void everyDocument_parsesAsTheModelClassOfItsKind_withNoUnknownField(Path file) throws IOException {
    for (JsonNode doc : documents(file)) {
      String kind = doc.get("kind").asText();
      Object parsed = SERIALIZATION.unmarshal(doc.toString());
      assertThat(parsed).as(file + " " + kind).isNotInstanceOf(GenericKubernetesResource.class);
      assertThat(parsed.getClass().getSimpleName()).as(file.toString()).isEqualTo(kind);
      List<String> unknown = new ArrayList<>();
      unknownFields(parsed, kind, unknown, new IdentityHashMap<>());
      assertThat(unknown).as("fields the " + kind + " model does not know (typos?) in " + file).isEmpty();
    }
  }

  /** fabric8 model objects keep fields they do not know in additionalProperties: there must be none. */
  private static void unknownFields(Object o, String path, List<String> out, IdentityHashMap<Object, Boolean> seen) {
    if (o == null || seen.put(o, Boolean.TRUE) != null) {
      return;
    }
    if (o instanceof Collection) {
      int i = 0;
      for (Object e : (Collection<?>) o) {
        unknownFields(e, path + "[" + i++ + "]", out, seen);
      }
      return;
    }
    if (o instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
        unknownFields(e.getValue(), path + "." + e.getKey(), out, seen);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map && !((Map<?, ?>) value).isEmpty()) {
          out.add(path + ": " + ((Map<?, ?>) value).keySet());
        }
        continue;
      }
      unknownFields(value, path + "." + m.getName().substring(3), out, seen);
    }
  }

  @Test
  void webhookConfigurations_failClosed_withinTheDeadline_forEveryReviewedKind() throws IOException {
    List<HasMetadata> objects = typedObjects();
    ValidatingWebhookConfiguration validating = only(objects, ValidatingWebhookConfiguration.class);
    MutatingWebhookConfiguration mutating = only(objects, MutatingWebhookConfiguration.class);
    ValidatingWebhook hook = validating.getWebhooks().get(0);
    assertThat(hook.getFailurePolicy()).isEqualTo("Fail");
    assertThat(hook.getSideEffects()).isEqualTo("None");
    assertThat(hook.getTimeoutSeconds()).isEqualTo(10);
    assertThat(hook.getAdmissionReviewVersions()).containsExactly("v1", "v1beta1");
    assertThat(hook.getClientConfig().getService().getPath()).isEqualTo("/validate");
    assertThat(mutating.getWebhooks().get(0).getClientConfig().getService().getPath()).isEqualTo("/mutate");
    assertThat(mutating.getWebhooks().get(0).getFailurePolicy()).isEqualTo("Fail");
    List<String> resources = hook.getRules().stream().flatMap(r -> r.getResources().stream()).collect(Collectors.toList());
    assertThat(resources).containsExactlyInAnyOrder("pods", "pods/ephemeralcontainers", "replicationcontrollers",
        "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs");
    assertThat(hook.getNamespaceSelector().getMatchExpressions()).anySatisfy(e -> {
      assertThat(e.getKey()).isEqualTo("kritis-validation");
      assertThat(e.getOperator()).isEqualTo("NotIn");
      assertThat(e.getValues()).containsExactly("disabled");
    }).anySatisfy(e -> assertThat(e.getValues()).contains("kube-system"));

    Deployment deployment = only(objects, Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(container.getResources().getLimits()).containsKey("memory");
    // The deadline given to kritis stays below the API server's timeout.
    assertThat(container.getArgs()).contains("--deadline=8s", "--kubernetes");
  }

  private static <T> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  static Map<String, JsonNode> crdSchemas() throws IOException {
    Map<String, JsonNode> schemas = new LinkedHashMap<>();
    for (HasMetadata o : typedObjects()) {
      if (o instanceof CustomResourceDefinition) {
        CustomResourceDefinition crd = (CustomResourceDefinition) o;
        assertThat(crd.getSpec().getGroup()).isEqualTo("kritis.grafeas.io");
        assertThat(crd.getSpec().getVersions()).hasSize(1);
        JsonNode schema = YAML.valueToTree(crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema());
        schemas.put(crd.getSpec().getNames().getKind(), schema);
      }
    }
    assertThat(schemas).containsOnlyKeys("AttestationAuthority", "GenericAttestationPolicy", "AdmissionAllowlist");
    return schemas;
  }

  @Test
  void crdScopes_matchTheKinds() throws IOException {
    Map<String, String> scopes = new LinkedHashMap<>();
    for (HasMetadata o : typedObjects()) {
      if (o instanceof CustomResourceDefinition) {
        CustomResourceDefinition crd = (CustomResourceDefinition) o;
        scopes.put(crd.getSpec().getNames().getKind(), crd.getSpec().getScope());
      }
    }
    assertThat(scopes).containsEntry("AttestationAuthority", "Namespaced").containsEntry("GenericAttestationPolicy", "Namespaced")
        .containsEntry("AdmissionAllowlist", "Cluster");
  }

  @Test
  void crdSchemas_acceptTheSamplePolicies_whichKritisAlsoLoads() throws IOException, PolicyException {
    Map<String, JsonNode> schemas = crdSchemas();
    Path file = POLICIES.resolve("valid/quickstart.yaml");
    int checked = 0;
    for (JsonNode doc : documents(file)) {
      List<String> errors = StructuralSchema.validate(doc, schemas.get(doc.get("kind").asText()));
      assertThat(errors).as(doc.get("kind") + " " + doc.get("metadata").get("name")).isEmpty();
      checked++;
    }
    assertThat(checked).isEqualTo(4);
    assertThat(PolicySet.builder().addManifest(Files.readString(file, StandardCharsets.UTF_8), file.toString()).build().size())
        .isEqualTo(4);
  }

  @ParameterizedTest
  @MethodSource("invalidPolicies")
  void crdSchemas_rejectMalformedPolicies(Path file) throws IOException {
    Map<String, JsonNode> schemas = crdSchemas();
    for (JsonNode doc : documents(file)) {
      assertThat(StructuralSchema.validate(doc, schemas.get(doc.get("kind").asText()))).as(file.toString()).isNotEmpty();
    }
  }

  static List<Path> invalidPolicies() throws IOException {
    try (Stream<Path> files = Files.list(POLICIES.resolve("invalid"))) {
      return files.sorted().collect(Collectors.toList());
    }
  }
}
