package dev.kritis.examples;

import dev.kritis.core.attestation.InvalidAttestationException;
import dev.kritis.core.attestation.OccurrenceDirectorySource;
import dev.kritis.core.policy.PolicyException;
import dev.kritis.core.policy.PolicySet;
import dev.kritis.core.verify.Decision;
import dev.kritis.core.verify.ImageDecision;
import dev.kritis.core.verify.ImageVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How a Java admission controller or deploy tool embeds the library: load policies once, build
 * one {@link ImageVerifier}, ask it about the images of each object.
 *
 * <pre>java -cp … dev.kritis.examples.EmbeddedVerifierExample examples/quickstart nginx@sha256:… alpine:3.11</pre>
 */
public final class EmbeddedVerifierExample {
  private EmbeddedVerifierExample() {}

  /** Builds the verifier for a quickstart-shaped directory: {@code policies/} and {@code attestations/}. */
  public static ImageVerifier verifierFor(Path quickstart) throws PolicyException, InvalidAttestationException {
    return ImageVerifier.builder()
        .policies(PolicySet.load(List.of(quickstart.resolve("policies"))))
        .addSource(OccurrenceDirectorySource.load(quickstart.resolve("attestations")))
        .build();
  }

  public static void main(String[] args) throws Exception {
    ImageVerifier verifier = verifierFor(Path.of(args[0]));
    Decision decision = verifier.verify("default", Arrays.asList(args).subList(1, args.length), Duration.ofSeconds(10));
    for (ImageDecision image : decision.images()) {
      System.out.println(image.message());
    }
    System.exit(decision.allowed() ? 0 : 1);
  }
}
