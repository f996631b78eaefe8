package dev.kritis.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kritis.core.attestation.InvalidAttestationException;
import dev.kritis.core.attestation.OccurrenceDirectorySource;
import dev.kritis.core.policy.PolicyException;
import dev.kritis.core.policy.PolicySet;
import dev.kritis.core.verify.Decision;
import dev.kritis.core.verify.ImageDecision;
import dev.kritis.core.verify.ImageVerifier;
import dev.kritis.core.verify.Reason;
import dev.kritis.registry.RegistryClient;
import dev.kritis.registry.RegistryConfigException;
import java.io.IOException;
import dev.kritis.cli.Args.UsageException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kritis verify}: checks images the way the admission webhook would, for deploy tools
 * (run it before {@code kubectl apply}) and people. Exit 0 when every image is allowed, 1 when
 * some image is denied, 2 for bad usage or bad configuration.
 */
final class VerifyCommand {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private VerifyCommand() {}

  static String usage() {
    return String.join("\n",
        "usage: kritis verify --policies DIR [--policies DIR]... [--attestations DIR] [registry options]",
        "                     [--namespace NS] [--output text|json] [--timeout DURATION]",
        "                     (IMAGE... | --manifests PATH...)",
        "",
        "  --policies DIR       kritis manifests (YAML/JSON; files or directories, repeatable)",
        "  --attestations DIR   Grafeas occurrence JSON files (offline attestations). Without it, or with",
        "                       any registry option, tags are resolved and signatures are read where the",
        "                       images live (cosign .sig tags, OCI referrers) and from --grafeas-url",
        RegistryOptions.USAGE,
        "  --manifests PATH     check every container image of these Kubernetes manifests (file or directory,",
        "                       repeatable), each in its object's namespace, as the webhook would on apply",
        "  --namespace NS       the namespace whose policies apply to IMAGEs and to objects without one",
        "                       (default: default)",
        "  --output FORMAT      text (default) or json",
        "  --timeout DURATION   give up and deny after this long (default 30s; e.g. 500ms, 10s, 1m)",
        "",
        "exit status: 0 every image allowed, 1 some image denied, 2 bad usage or configuration");
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (UsageException e) {
      err.println("kritis verify: " + e.getMessage());
      err.println(usage());
      return Main.USAGE;
    }
    if (options.help) {
      out.println(usage());
      return Main.ALLOWED;
    }
    ImageVerifier.Builder builder = ImageVerifier.builder();
    try {
      builder.policies(PolicySet.load(options.policies));
    } catch (PolicyException e) {
      err.println("kritis verify: bad policy: " + e.getMessage());
      return Main.USAGE;
    }
    if (options.attestations != null) {
      try {
        builder.addSource(OccurrenceDirectorySource.load(options.attestations));
      } catch (InvalidAttestationException e) {
        err.println("kritis verify: bad attestations: " + e.getMessage());
        return Main.USAGE;
      }
    }
    if (options.attestations == null || options.registry.any()) {
      try {
        RegistryClient registries = options.registry.client();
        builder.digestResolver(registries.digestResolver());
        registries.registrySources().forEach(builder::addSource);
        if (options.registry.grafeasUrl != null) {
          builder.addSource(registries.grafeas(options.registry.grafeasUrl, options.registry.grafeasToken()));
        }
      } catch (RegistryConfigException | IOException e) {
        err.println("kritis verify: bad registry configuration: " + e.getMessage());
        return Main.USAGE;
      }
    }
    Map<String, Set<String>> work = new LinkedHashMap<>();
    if (!options.images.isEmpty()) {
      work.computeIfAbsent(options.namespace, n -> new LinkedHashSet<>()).addAll(options.images);
    }
    try {
      ManifestImages.read(options.manifests, options.namespace)
          .forEach((ns, images) -> work.computeIfAbsent(ns, n -> new LinkedHashSet<>()).addAll(images));
    } catch (UsageException e) {
      err.println("kritis verify: " + e.getMessage());
      return Main.USAGE;
    }
    if (work.isEmpty()) {
      err.println("kritis verify: the manifests contain no container image");
      return Main.USAGE;
    }
    ImageVerifier verifier = builder.build();
    Instant deadline = Instant.now().plus(options.timeout);
    Map<String, Decision> decisions = new LinkedHashMap<>();
    work.forEach((ns, images) -> decisions.put(ns, verifier.verify(ns, List.copyOf(images), deadline)));
    boolean showNamespace = decisions.size() > 1 || !options.manifests.isEmpty();
    if (options.json) {
      out.println(toJson(decisions, showNamespace));
    } else {
      decisions.forEach((ns, decision) -> printText(showNamespace ? ns : null, decision, out));
    }
    return decisions.values().stream().allMatch(Decision::allowed) ? Main.ALLOWED : Main.DENIED;
  }

  private static void printText(String namespace, Decision decision, PrintStream out) {
    for (ImageDecision image : decision.images()) {
      out.println((image.allowed() ? "ALLOWED " : "DENIED  ") + image.message()
          + image.digest().map(d -> " (" + d + ")").orElse("")
          + (namespace == null ? "" : " [namespace " + namespace + "]"));
      for (Reason reason : image.reasons()) {
        out.println("    " + reason.code() + ": " + reason.message());
      }
    }
  }

  static String toJson(Map<String, Decision> decisions, boolean showNamespace) {
    ObjectNode root = JSON.createObjectNode();
    root.put("allowed", decisions.values().stream().allMatch(Decision::allowed));
    ArrayNode images = root.putArray("images");
    decisions.forEach((namespace, decision) ->
        decision.images().forEach(image -> writeImage(images.addObject(), image, showNamespace ? namespace : null)));
    try {
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree we built", e);
    }
  }

  private static void writeImage(ObjectNode node, ImageDecision image, String namespace) {
    node.put("image", image.image());
    if (namespace != null) {
      node.put("namespace", namespace);
    }
    if (image.digest().isPresent()) {
      node.put("digest", image.digest().get().toString());
    } else {
      node.putNull("digest");
    }
    node.put("allowed", image.allowed());
    node.put("message", image.message());
    ArrayNode reasons = node.putArray("reasons");
    for (Reason reason : image.reasons()) {
      ObjectNode r = reasons.addObject();
      r.put("code", reason.code().name());
      r.put("message", reason.message());
      reason.policy().ifPresent(p -> r.put("policy", p));
      reason.authority().ifPresent(a -> r.put("authority", a));
    }
  }

  /** The parsed command line. */
  static final class Options {
    final List<Path> policies = new ArrayList<>();
    final List<String> images = new ArrayList<>();
    final List<Path> manifests = new ArrayList<>();
    final RegistryOptions registry = new RegistryOptions();
    Path attestations;
    String namespace = "default";
    boolean json;
    boolean help;
    Duration timeout = Duration.ofSeconds(30);

    static Options parse(String[] args) throws UsageException {
      Options o = new Options();
      Args a = new Args(args);
      while (a.hasNext()) {
        String arg = a.next();
        switch (arg) {
          case "--help":
          case "-h":
            o.help = true;
            break;
          case "--policies":
            o.policies.add(Path.of(a.value(arg)));
            break;
          case "--attestations":
            o.attestations = Path.of(a.value(arg));
            break;
          case "--manifests":
          case "-f":
            o.manifests.add(Path.of(a.value(arg)));
            break;
          case "--namespace":
          case "-n":
            o.namespace = a.value(arg);
            break;
          case "--output":
          case "-o": {
            String format = a.value(arg);
            if (!format.equals("text") && !format.equals("json")) {
              throw new UsageException("--output must be text or json, got \"" + format + "\"");
            }
            o.json = format.equals("json");
            break;
          }
          case "--timeout":
            o.timeout = Args.duration(a.value(arg), arg);
            break;
          default:
            if (o.registry.accept(arg, a)) {
              break;
            }
            if (arg.startsWith("-")) {
              throw new UsageException("unknown option " + arg);
            }
            o.images.add(arg);
        }
      }
      if (o.help) {
        return o;
      }
      if (o.policies.isEmpty()) {
        throw new UsageException("--policies DIR is required");
      }
      if (o.images.isEmpty() && o.manifests.isEmpty()) {
        throw new UsageException("no IMAGE or --manifests given");
      }
      return o;
    }

  }
}
