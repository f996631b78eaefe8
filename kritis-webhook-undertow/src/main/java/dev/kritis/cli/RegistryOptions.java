package dev.kritis.cli;

import dev.kritis.cli.Args.UsageException;
import dev.kritis.registry.RegistryClient;
import dev.kritis.registry.RegistryConfigException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The options that reach registries and Grafeas, shared by {@code verify}, {@code resolve} and
 * {@code serve}, so every command spells them the same way.
 */
final class RegistryOptions {
  static final String USAGE = String.join("\n",
      "  --registry-ca FILE          extra CA certificates (PEM) to trust for registries, besides the system's",
      "  --docker-config FILE        registry credentials, a Docker config.json or a dockerconfigjson secret's content",
      "  --insecure-registry HOST:PORT  reach this registry over plain HTTP (repeatable)",
      "  --grafeas-url URL           also read attestations from this Grafeas / Container Analysis server",
      "  --grafeas-token-file FILE   bearer token for the Grafeas server");

  Path caBundle;
  Path dockerConfig;
  final List<String> insecureRegistries = new ArrayList<>();
  URI grafeasUrl;
  Path grafeasTokenFile;

  /**
   * Consumes {@code option} (with its value) when it is a registry option.
   *
   * @return false when the option is not one of these
   */
  boolean accept(String option, Args args) throws UsageException {
    if (!takesValue(option)) {
      return false;
    }
    String value = args.value(option);
    switch (option) {
      case "--registry-ca":
        caBundle = Path.of(value);
        return true;
      case "--docker-config":
        dockerConfig = Path.of(value);
        return true;
      case "--insecure-registry":
        if (!value.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
          throw new UsageException("--insecure-registry expects HOST[:PORT], got \"" + value + "\"");
        }
        insecureRegistries.add(value);
        return true;
      case "--grafeas-url":
        try {
          grafeasUrl = new URI(value);
        } catch (URISyntaxException e) {
          throw new UsageException("--grafeas-url is not a URL: " + e.getMessage());
        }
        if (grafeasUrl.getScheme() == null || !(grafeasUrl.getScheme().equals("https") || grafeasUrl.getScheme().equals("http"))
            || grafeasUrl.getHost() == null) {
          throw new UsageException("--grafeas-url expects an http(s) URL such as https://containeranalysis.example, got \"" + value + "\"");
        }
        return true;
      case "--grafeas-token-file":
        grafeasTokenFile = Path.of(value);
        return true;
      default:
        return false;
    }
  }

  static boolean takesValue(String option) {
    return List.of("--registry-ca", "--docker-config", "--insecure-registry", "--grafeas-url", "--grafeas-token-file")
        .contains(option);
  }

  /** Whether any registry option was given (they make no sense with offline attestations alone). */
  boolean any() {
    return caBundle != null || dockerConfig != null || !insecureRegistries.isEmpty() || grafeasUrl != null
        || grafeasTokenFile != null;
  }

  RegistryClient client() throws RegistryConfigException {
    RegistryClient.Builder builder = RegistryClient.builder();
    if (caBundle != null) {
      builder.caBundle(caBundle);
    }
    if (dockerConfig != null) {
      builder.dockerConfig(dockerConfig);
    }
    insecureRegistries.forEach(builder::insecureRegistry);
    return builder.build();
  }

  Optional<String> grafeasToken() throws IOException {
    if (grafeasTokenFile == null) {
      return Optional.empty();
    }
    return Optional.of(Files.readString(grafeasTokenFile, StandardCharsets.UTF_8).trim());
  }
}
