package dev.kritis.core.verify;

import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.attestation.AttestationSource;
import dev.kritis.core.attestation.AttestationSourceException;
import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.reference.ImageReference;
import java.time.Instant;
import java.util.List;

/** Attestation sources written as lambdas, for tests. */
final class TestSources {
  private TestSources() {}

  /** The lookup a test source performs. */
  interface Lookup {
    List<Attestation> find(ImageReference image, AttestationAuthority authority) throws AttestationSourceException;
  }

  static AttestationSource of(String name, Lookup lookup) {
    return new AttestationSource() {
      @Override
      public List<Attestation> attestationsFor(ImageReference image, AttestationAuthority authority, Instant deadline)
          throws AttestationSourceException {
        return lookup.find(image, authority);
      }

      @Override
      public String describe() {
        return name;
      }
    };
  }

  static AttestationSource fixed(Attestation attestation) {
    return of("memory", (image, authority) -> List.of(attestation));
  }
}
