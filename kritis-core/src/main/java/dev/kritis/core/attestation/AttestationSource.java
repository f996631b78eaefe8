package dev.kritis.core.attestation;

import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.reference.ImageReference;
import java.time.Instant;
import java.util.List;

/**
 * Where attestations are found: a directory of Grafeas occurrence files, a Grafeas server, the
 * image's registry (cosign signatures, OCI referrers). The verifier checks every attestation it
 * gets, so a source need not filter precisely; it must only never invent one.
 */
public interface AttestationSource {

  /**
   * Returns the attestations that may vouch for {@code image} on behalf of {@code authority}.
   *
   * @param image a reference with a digest
   * @param authority the authority asking; sources keyed by note use its note reference
   * @param deadline the source must give up (throw) by this instant
   * @return possibly empty, never null
   * @throws AttestationSourceException if the source is broken or unreachable; the verifier then
   *     treats the authority as not attesting through this source (fail closed)
   */
  List<Attestation> attestationsFor(ImageReference image, AttestationAuthority authority, Instant deadline)
      throws AttestationSourceException;

  /** A short name for reasons and logs, e.g. {@code occurrences in /etc/kritis/att}. */
  String describe();
}
