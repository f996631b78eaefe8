package dev.kritis.cli;

import dev.kritis.cli.Args.UsageException;
import dev.kritis.registry.RegistryClient;
import dev.kritis.registry.RegistryConfigException;

import dev.kritis.core.attestation.InvalidAttestationException;
import dev.kritis.core.attestation.OccurrenceDirectorySource;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.reference.InvalidReferenceException;
import dev.kritis.webhook.WebhookServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code kritis serve}: the HTTPS admission webhook. Starts the server and returns; the server's
 * threads keep the JVM running until it is stopped (SIGTERM closes it cleanly).
 */
final class ServeCommand {
  /** How long a tag → digest answer is trusted; the registry client caches it as long. */
  private static final Duration TAG_TTL = Duration.ofSeconds(30);
  private static final Pattern SIZE = Pattern.compile("(\\d+)(|k|Ki|M|Mi)");

  private ServeCommand() {}

  static String usage() {
    return String.join("\n",
        "usage: kritis serve (--tls-cert FILE --tls-key FILE | --tls-self-signed) (--policies DIR ... | --kubernetes) [options]",
        "",
        "  --tls-cert FILE         PEM certificate chain; reloaded when the file changes",
        "  --tls-key FILE          PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)",
        "  --tls-self-signed       make a throwaway self-signed certificate (local runs only)",
        "  --port N                HTTPS port (default 8443); --address HOST (default 0.0.0.0)",
        "  --policies PATH         policy manifests (file or directory; repeatable); reloaded on change",
        "  --kubernetes            watch kritis.grafeas.io objects with the in-cluster service account",
        "  --attestations DIR      Grafeas occurrence JSON files (offline). Without it, or with any registry",
        "                          option, tags are resolved and signatures read from the images' registries",
        RegistryOptions.USAGE,
        "  --namespace-exempt NS   admit everything in NS (repeatable)",
        "  --self-image REF        the webhook's own image, always admitted",
        "  --dry-run               admit everything; report would-be denials as warnings and in the log",
        "  --fail-open             admit when verification cannot finish (default: deny)",
        "  --deadline DURATION     per-review deadline, below the webhook timeoutSeconds (default 8s; ms|s|m)",
        "  --max-body BYTES        largest request body (default 3Mi; k|Ki|M|Mi suffixes)",
        "",
        "endpoints: POST /validate, POST /mutate, GET /healthz, GET /readyz, GET /metrics");
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    // Undertow and XNIO log through jboss-logging: send it to slf4j-simple, one line per event.
    System.setProperty("org.jboss.logging.provider", "slf4j");
    WebhookServer.Builder builder = WebhookServer.builder();
    Path cert = null;
    Path key = null;
    boolean selfSigned = false;
    boolean policies = false;
    String port = "8443";
    boolean offline = false;
    RegistryOptions registry = new RegistryOptions();
    try {
      Args a = new Args(args);
      while (a.hasNext()) {
        String arg = a.next();
        switch (arg) {
          case "-h":
          case "--help":
            out.println(usage());
            return Main.ALLOWED;
          case "--tls-cert":
            cert = Path.of(a.value(arg));
            break;
          case "--tls-key":
            key = Path.of(a.value(arg));
            break;
          case "--tls-self-signed":
            selfSigned = true;
            break;
          case "--port":
            port = a.value(arg);
            builder.port(parsePort(port));
            break;
          case "--address":
            builder.host(a.value(arg));
            break;
          case "--policies": {
            Path p = Path.of(a.value(arg));
            if (!Files.exists(p)) {
              throw new UsageException("--policies " + p + ": no such file or directory");
            }
            builder.addPolicyPath(p);
            policies = true;
            break;
          }
          case "--kubernetes":
            builder.kubernetesInCluster();
            policies = true;
            break;
          case "--attestations": {
            Path dir = Path.of(a.value(arg));
            try {
              builder.addAttestationSource(OccurrenceDirectorySource.load(dir));
            } catch (InvalidAttestationException e) {
              throw new UsageException("--attestations: " + e.getMessage());
            }
            offline = true;
            break;
          }
          case "--namespace-exempt":
            builder.exemptNamespace(a.value(arg));
            break;
          case "--self-image": {
            String ref = a.value(arg);
            try {
              builder.selfImage(ImageReference.parse(ref));
            } catch (InvalidReferenceException e) {
              throw new UsageException("--self-image: " + e.getMessage());
            }
            break;
          }
          case "--dry-run":
            builder.dryRun(true);
            break;
          case "--fail-open":
            builder.failOpen(true);
            break;
          case "--deadline":
            builder.deadline(Args.duration(a.value(arg), arg));
            break;
          case "--max-body":
            builder.maxBody(parseSize(a.value(arg), arg));
            break;
          default:
            if (!registry.accept(arg, a)) {
              throw new UsageException("unknown option \"" + arg + "\"");
            }
        }
      }
      if (selfSigned && (cert != null || key != null)) {
        throw new UsageException("--tls-self-signed excludes --tls-cert/--tls-key");
      }
      if (selfSigned) {
        builder.tlsSelfSigned(List.of());
      } else if (cert != null && key != null) {
        builder.tls(cert, key);
      } else {
        throw new UsageException("HTTPS only: give --tls-cert FILE and --tls-key FILE, or --tls-self-signed");
      }
      if (!policies) {
        throw new UsageException("give --policies DIR (repeatable) and/or --kubernetes");
      }
      if (!offline || registry.any()) {
        // As kritis verify: without offline attestations (or with any registry option), resolve
        // tags and read signatures where the images live, and from Grafeas when named.
        RegistryClient registries = registry.client();
        builder.digestResolver(registries.digestResolver(), TAG_TTL);
        registries.registrySources().forEach(builder::addAttestationSource);
        if (registry.grafeasUrl != null) {
          builder.addAttestationSource(registries.grafeas(registry.grafeasUrl, registry.grafeasToken()));
        }
      }
    } catch (RegistryConfigException | IOException e) {
      err.println("kritis serve: bad registry configuration: " + e.getMessage());
      return Main.USAGE;
    } catch (UsageException | IllegalArgumentException e) {
      err.println("kritis serve: " + e.getMessage());
      err.println(usage());
      return Main.USAGE;
    }
    WebhookServer server;
    try {
      server = builder.start();
    } catch (GeneralSecurityException | IOException | IllegalStateException e) {
      err.println("kritis serve: " + e.getMessage());
      return Main.USAGE;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "kritis-shutdown"));
    String notReady = server.notReadyReason();
    out.println("kritis serve: listening on https port " + server.port()
        + (notReady == null ? "" : " (not ready: " + notReady + ")"));
    if (selfSigned) {
      // A local run: show how to ask it something. The quickstart ships an AdmissionReview made
      // from `kubectl create deployment test-denied --image=alpine:3.11 --dry-run=client -o json`.
      out.println("try: curl -sk https://localhost:" + server.port() + "/validate -H 'Content-Type: application/json'"
          + " --data @examples/quickstart/admission-review.json");
    }
    out.flush();
    return Main.ALLOWED;
  }

  private static int parsePort(String text) throws UsageException {
    try {
      int p = Integer.parseInt(text);
      if (p >= 0 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new UsageException("--port \"" + text + "\" is not a port number (0..65535)");
  }

  static long parseSize(String text, String option) throws UsageException {
    Matcher m = SIZE.matcher(text);
    if (m.matches() && m.group(1).length() < 13) {
      long n = Long.parseLong(m.group(1));
      long unit;
      switch (m.group(2)) {
        case "k":
          unit = 1000;
          break;
        case "Ki":
          unit = 1024;
          break;
        case "M":
          unit = 1000_000;
          break;
        case "Mi":
          unit = 1024 * 1024;
          break;
        default:
          unit = 1;
          break;
      }
      if (n > 0) {
        return n * unit;
      }
    }
    throw new UsageException(option + " \"" + text + "\" is not a positive size in bytes, expected e.g. 3145728 or 3Mi");
  }
}
