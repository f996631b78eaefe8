package dev.kritis.core.policy;

import java.util.List;
import java.util.Objects;

/** A cluster-wide list of image patterns that are admitted in every namespace without checks. */
public final class AdmissionAllowlist {
  private final String name;
  private final List<ImagePattern> patterns;

  private AdmissionAllowlist(String name, List<ImagePattern> patterns) {
    this.name = name;
    this.patterns = patterns;
  }

  public static AdmissionAllowlist create(String name, List<ImagePattern> patterns) {
    return new AdmissionAllowlist(Objects.requireNonNull(name, "name"), List.copyOf(patterns));
  }

  public String name() {
    return name;
  }

  public List<ImagePattern> patterns() {
    return patterns;
  }

  @Override
  public String toString() {
    return "AdmissionAllowlist(" + name + ", " + patterns + ")";
  }
}
