package dev.kritis.core.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An immutable snapshot of every kritis object in force: authorities and policies by namespace,
 * and the cluster-wide allowlists. A reloading consumer builds a new set and swaps it in whole,
 * so a check never sees half of an update, and a bad file leaves the last good set in force.
 */
public final class PolicySet {
  private static final AtomicLong VERSIONS = new AtomicLong();
  private static final PolicySet EMPTY = new PolicySet(Map.of(), Map.of(), List.of());

  private final Map<String, AttestationAuthority> authorities;
  private final Map<String, List<GenericAttestationPolicy>> policiesByNamespace;
  private final List<AdmissionAllowlist> allowlists;
  private final long version;

  private PolicySet(Map<String, AttestationAuthority> authorities,
      Map<String, List<GenericAttestationPolicy>> policiesByNamespace, List<AdmissionAllowlist> allowlists) {
    this.authorities = Map.copyOf(authorities);
    this.policiesByNamespace = Map.copyOf(policiesByNamespace);
    this.allowlists = List.copyOf(allowlists);
    this.version = VERSIONS.incrementAndGet();
  }

  /** No policies at all: every namespace is unprotected. */
  public static PolicySet empty() {
    return EMPTY;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Loads every {@code *.yaml}, {@code *.yml} and {@code *.json} file in the given files or
   * directories (recursively, in name order).
   *
   * @throws PolicyException for the first bad file, naming it
   */
  public static PolicySet load(Collection<Path> paths) throws PolicyException {
    Builder builder = builder();
    for (Path path : paths) {
      builder.addPath(path);
    }
    return builder.build();
  }

  public Optional<AttestationAuthority> authority(String namespace, String name) {
    return Optional.ofNullable(authorities.get(key(namespace, name)));
  }

  /** The namespace's policies, sorted by name; empty when the namespace is not protected. */
  public List<GenericAttestationPolicy> policies(String namespace) {
    return policiesByNamespace.getOrDefault(namespace, List.of());
  }

  public List<AdmissionAllowlist> allowlists() {
    return allowlists;
  }

  /** All authorities, in no particular order. */
  public Collection<AttestationAuthority> authorities() {
    return authorities.values();
  }

  /** Distinct per built set within this JVM: lets caches drop results made under older policies. */
  public long version() {
    return version;
  }

  /** How many objects the set holds, for logs and readiness details. */
  public int size() {
    return authorities.size() + allowlists.size()
        + policiesByNamespace.values().stream().mapToInt(List::size).sum();
  }

  @Override
  public String toString() {
    return "PolicySet(version=" + version + ", authorities=" + authorities.size() + ", policies="
        + policiesByNamespace.values().stream().mapToInt(List::size).sum() + ", allowlists=" + allowlists.size() + ")";
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  /** Collects objects from manifests; {@link #build()} checks that names are unique. */
  public static final class Builder {
    private final Map<String, AttestationAuthority> authorities = new LinkedHashMap<>();
    private final Map<String, GenericAttestationPolicy> policies = new LinkedHashMap<>();
    private final Map<String, AdmissionAllowlist> allowlists = new LinkedHashMap<>();
    private final Map<String, String> origins = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds every kritis object in {@code text}, YAML or JSON, one or several documents, or a
     * Kubernetes {@code List}.
     *
     * @param origin names the text in messages (a file path, {@code kubernetes:ns/name})
     */
    public Builder addManifest(String text, String origin) throws PolicyException {
      for (Object object : ManifestReader.read(text, origin)) {
        add(object, origin);
      }
      return this;
    }

    /** Adds a manifest file, or every {@code *.yaml|*.yml|*.json} file below a directory. */
    public Builder addPath(Path path) throws PolicyException {
      List<Path> files;
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          files = walk.filter(Files::isRegularFile).filter(Builder::isManifestFile)
              .sorted(Comparator.comparing(Path::toString)).collect(Collectors.toList());
        } catch (IOException e) {
          throw new PolicyException("cannot list policy directory " + path + ": " + e.getMessage(), e);
        }
      } else if (Files.isRegularFile(path)) {
        files = List.of(path);
      } else {
        throw new PolicyException("policy path " + path + " does not exist");
      }
      for (Path file : files) {
        String text;
        try {
          text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new PolicyException("cannot read policy file " + file + ": " + e.getMessage(), e);
        }
        addManifest(text, file.toString());
      }
      return this;
    }

    private static boolean isManifestFile(Path p) {
      String name = p.getFileName().toString();
      return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    public Builder add(AttestationAuthority authority) throws PolicyException {
      return add(authority, "code");
    }

    public Builder add(GenericAttestationPolicy policy) throws PolicyException {
      return add(policy, "code");
    }

    public Builder add(AdmissionAllowlist allowlist) throws PolicyException {
      return add(allowlist, "code");
    }

    private Builder add(Object object, String origin) throws PolicyException {
      String id;
      if (object instanceof AttestationAuthority) {
        AttestationAuthority a = (AttestationAuthority) object;
        id = "AttestationAuthority " + key(a.namespace(), a.name());
        putUnique(authorities, key(a.namespace(), a.name()), a, id, origin);
      } else if (object instanceof GenericAttestationPolicy) {
        GenericAttestationPolicy p = (GenericAttestationPolicy) object;
        id = "GenericAttestationPolicy " + key(p.namespace(), p.name());
        putUnique(policies, key(p.namespace(), p.name()), p, id, origin);
      } else {
        AdmissionAllowlist l = (AdmissionAllowlist) object;
        id = "AdmissionAllowlist " + l.name();
        putUnique(allowlists, l.name(), l, id, origin);
      }
      return this;
    }

    private <T> void putUnique(Map<String, T> map, String key, T value, String id, String origin) throws PolicyException {
      String previous = origins.putIfAbsent(id, origin);
      if (previous != null) {
        throw new PolicyException(origin + ": " + id + " is defined twice (first in " + previous
            + "); names must be unique, as in a cluster");
      }
      map.put(key, value);
    }

    public PolicySet build() {
      Map<String, List<GenericAttestationPolicy>> byNamespace = new LinkedHashMap<>();
      for (GenericAttestationPolicy p : policies.values()) {
        byNamespace.computeIfAbsent(p.namespace(), n -> new ArrayList<>()).add(p);
      }
      byNamespace.replaceAll((ns, list) -> {
        list.sort(Comparator.comparing(GenericAttestationPolicy::name));
        return List.copyOf(list);
      });
      List<AdmissionAllowlist> lists = new ArrayList<>(allowlists.values());
      lists.sort(Comparator.comparing(AdmissionAllowlist::name));
      return new PolicySet(authorities, byNamespace, lists);
    }
  }
}
