package dev.kritis.webhook;

import dev.kritis.core.policy.PolicyException;
import dev.kritis.core.policy.PolicySet;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kritis.grafeas.io/v1beta1 objects of the cluster, listed and watched through the API
 * server (fabric8 informers on generic resources: no model classes, no discovery call). Each
 * object is turned back into JSON and read by core exactly as a file would be.
 */
final class KubernetesPolicyFeed implements PolicyFeed {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesPolicyFeed.class);
  static final String GROUP = "kritis.grafeas.io";
  static final String VERSION = "v1beta1";

  /** kind → (plural, namespaced). */
  private static final Map<String, ResourceDefinitionContext> KINDS = new LinkedHashMap<>();

  static {
    KINDS.put("AttestationAuthority", context("AttestationAuthority", "attestationauthorities", true));
    KINDS.put("GenericAttestationPolicy", context("GenericAttestationPolicy", "genericattestationpolicies", true));
    KINDS.put("AdmissionAllowlist", context("AdmissionAllowlist", "admissionallowlists", false));
  }

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> informers = new LinkedHashMap<>();

  KubernetesPolicyFeed(KubernetesClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  private static ResourceDefinitionContext context(String kind, String plural, boolean namespaced) {
    return new ResourceDefinitionContext.Builder().withGroup(GROUP).withVersion(VERSION).withKind(kind)
        .withPlural(plural).withNamespaced(namespaced).build();
  }

  @Override
  public void start(Runnable changed) {
    ResourceEventHandler<GenericKubernetesResource> handler = new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource obj) {
        changed.run();
      }

      @Override
      public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
        changed.run();
      }

      @Override
      public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
        changed.run();
      }
    };
    for (Map.Entry<String, ResourceDefinitionContext> kind : KINDS.entrySet()) {
      ResourceDefinitionContext ctx = kind.getValue();
      SharedIndexInformer<GenericKubernetesResource> informer = ctx.isNamespaceScoped()
          ? client.genericKubernetesResources(ctx).inAnyNamespace().runnableInformer(0)
          : client.genericKubernetesResources(ctx).runnableInformer(0);
      informer.addEventHandler(handler);
      informer.exceptionHandler((isStarted, t) -> {
        // One line, and keep retrying: the API server may come back; the last good set stays.
        LOG.warn("watching {} failed: {}", ctx.getPlural(), t.toString());
        return true;
      });
      informers.put(kind.getKey(), informer);
      informer.start().whenComplete((ok, error) -> {
        if (error != null) {
          LOG.warn("cannot list {}: {}", ctx.getPlural(), error.toString());
        }
        changed.run();
      });
    }
  }

  @Override
  public String notReadyReason() {
    List<String> waiting = new ArrayList<>();
    for (Map.Entry<String, SharedIndexInformer<GenericKubernetesResource>> e : informers.entrySet()) {
      if (!e.getValue().hasSynced()) {
        waiting.add(KINDS.get(e.getKey()).getPlural());
      }
    }
    return waiting.isEmpty() ? null : "waiting for the first list of " + String.join(", ", waiting) + " from the Kubernetes API";
  }

  @Override
  public void addTo(PolicySet.Builder builder) throws PolicyException {
    for (Map.Entry<String, SharedIndexInformer<GenericKubernetesResource>> e : informers.entrySet()) {
      List<GenericKubernetesResource> objects = new ArrayList<>(e.getValue().getStore().list());
      objects.sort(Comparator.comparing((GenericKubernetesResource r) -> String.valueOf(r.getMetadata().getNamespace()))
          .thenComparing(r -> r.getMetadata().getName()));
      for (GenericKubernetesResource object : objects) {
        String ns = object.getMetadata().getNamespace();
        String origin = "kubernetes:" + e.getKey() + "/" + (ns == null ? "" : ns + "/") + object.getMetadata().getName();
        builder.addManifest(client.getKubernetesSerialization().asJson(object), origin);
      }
    }
  }

  @Override
  public String describe() {
    return "kritis.grafeas.io objects from the Kubernetes API at " + client.getMasterUrl();
  }

  @Override
  public void close() {
    informers.values().forEach(SharedIndexInformer::close);
    if (ownsClient) {
      client.close();
    }
  }
}
