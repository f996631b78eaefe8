package dev.kritis.webhook;

import java.util.List;

/** What the webhook answers to one admission request. */
final class AdmissionOutcome {
  enum Result { ALLOWED, DENIED, ERROR }

  /** One JSONPatch "replace" of a container's image. */
  static final class ImagePatch {
    final String pointer;
    final String value;

    ImagePatch(String pointer, String value) {
      this.pointer = pointer;
      this.value = value;
    }
  }

  final boolean allowed;
  /** Metric label: denied because not attested, or because verification could not finish. */
  final Result result;
  /** The denial message (status.message); null when allowed. */
  final String message;
  final List<String> warnings;
  final List<ImagePatch> patches;

  AdmissionOutcome(boolean allowed, Result result, String message, List<String> warnings, List<ImagePatch> patches) {
    this.allowed = allowed;
    this.result = result;
    this.message = message;
    this.warnings = List.copyOf(warnings);
    this.patches = List.copyOf(patches);
  }

  static AdmissionOutcome allow() {
    return new AdmissionOutcome(true, Result.ALLOWED, null, List.of(), List.of());
  }

  static AdmissionOutcome allow(List<String> warnings) {
    return new AdmissionOutcome(true, Result.ALLOWED, null, warnings, List.of());
  }
}
