package dev.kritis.registry;

import java.util.List;

/** The media types the client asks for and understands. */
final class MediaTypes {
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  /** Everything a tag may name: single-platform manifests and multi-platform indexes. */
  static final String ACCEPT_ANY = String.join(", ", List.of(OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST));
  /** Signature manifests are single manifests, never indexes. */
  static final String ACCEPT_MANIFEST = OCI_MANIFEST + ", " + DOCKER_MANIFEST;
  static final String ACCEPT_INDEX = OCI_INDEX;
  /** The layer media type of a cosign simple-signing signature. */
  static final String COSIGN_SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
  /** The annotation holding a cosign signature (base64) on such a layer. */
  static final String COSIGN_SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
  /** cosign's artifact type for signatures stored as OCI 1.1 referrers. */
  static final String COSIGN_SIGNATURE_ARTIFACT = "application/vnd.dev.cosign.artifact.sig.v1+json";

  private MediaTypes() {}
}
