package dev.kritis.core.attestation;

import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.reference.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Attestations read once from Grafeas occurrence JSON files ({@code *.json}) in a directory and
 * its subdirectories, for offline checks: a deploy tool's CI job, an air-gapped cluster.
 *
 * <p>An occurrence counts for an image when it names the same repository and digest; one with a
 * {@code noteName} counts only for the authority whose {@code noteReference} equals it.
 */
public final class OccurrenceDirectorySource implements AttestationSource {
  /** Occurrence files are small; a huge file in the directory is a mistake, not an attestation. */
  private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

  private final Path directory;
  private final List<GrafeasOccurrence> occurrences;

  private OccurrenceDirectorySource(Path directory, List<GrafeasOccurrence> occurrences) {
    this.directory = directory;
    this.occurrences = List.copyOf(occurrences);
  }

  /**
   * Reads every {@code *.json} file below {@code directory} (in name order).
   *
   * @throws InvalidAttestationException if the directory cannot be read or any file is not a
   *     well-formed occurrence document; the message names the file
   */
  public static OccurrenceDirectorySource load(Path directory) throws InvalidAttestationException {
    if (!Files.isDirectory(directory)) {
      throw new InvalidAttestationException("attestations directory " + directory + " does not exist or is not a directory");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(directory)) {
      files = walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json"))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new InvalidAttestationException("cannot list attestations directory " + directory + ": " + e.getMessage(), e);
    }
    List<GrafeasOccurrence> all = new ArrayList<>();
    for (Path file : files) {
      byte[] content;
      try {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
          throw new InvalidAttestationException(file + ": " + size + " bytes, at most " + MAX_FILE_BYTES + " expected for an occurrence file");
        }
        content = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new InvalidAttestationException("cannot read " + file + ": " + e.getMessage(), e);
      }
      all.addAll(GrafeasOccurrence.parseDocument(content, file.toString()));
    }
    return new OccurrenceDirectorySource(directory, all);
  }

  @Override
  public List<Attestation> attestationsFor(ImageReference image, AttestationAuthority authority, Instant deadline) {
    List<Attestation> result = new ArrayList<>();
    for (GrafeasOccurrence occurrence : occurrences) {
      if (!occurrence.isAbout(image)) {
        continue;
      }
      if (occurrence.noteName().isPresent() && !occurrence.noteName().equals(authority.noteReference())) {
        continue;
      }
      result.addAll(occurrence.attestations());
    }
    return result;
  }

  /** How many occurrences were read. */
  public int size() {
    return occurrences.size();
  }

  @Override
  public String describe() {
    return "occurrences in " + directory;
  }
}
