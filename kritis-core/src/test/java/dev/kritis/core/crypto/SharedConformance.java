package dev.kritis.core.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The read-only conformance data: {@code -Dkritis.shared.dir} (surefire sets it), else ../../shared. */
final class SharedConformance {
  private SharedConformance() {}

  static Path dir() {
    String configured = System.getProperty("kritis.shared.dir");
    Path base = configured != null && !configured.isBlank() ? Paths.get(configured) : Paths.get("..", "..", "shared");
    Path conformance = base.resolve("conformance");
    if (!Files.isDirectory(conformance)) {
      throw new IllegalStateException("conformance data not found at " + conformance.toAbsolutePath());
    }
    return conformance;
  }

  static JsonNode json(String relative) {
    try {
      return new ObjectMapper().readTree(dir().resolve(relative).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(dir().resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
