package dev.kritis.cli;

import dev.kritis.cli.Args.UsageException;
import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.DigestResolver.DigestResolutionException;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.core.reference.InvalidReferenceException;
import dev.kritis.registry.RegistryClient;
import dev.kritis.registry.RegistryConfigException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kritis resolve IMAGE...}: prints each image pinned to the digest its tag names now,
 * {@code IMAGE@sha256:…}, one per line, so a deploy tool can apply exactly what it verified.
 * Exit 0 when every image resolved, 1 when some did not (reason on stderr), 2 for bad usage.
 */
final class ResolveCommand {
  private ResolveCommand() {}

  static String usage() {
    return String.join("\n",
        "usage: kritis resolve [registry options] [--timeout DURATION] IMAGE...",
        "",
        RegistryOptions.USAGE,
        "  --timeout DURATION          give up after this long per image (default 30s)",
        "",
        "prints IMAGE@sha256:<digest> per image; exit 0 all resolved, 1 some failed, 2 bad usage");
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    RegistryOptions registry = new RegistryOptions();
    List<String> images = new ArrayList<>();
    Duration timeout = Duration.ofSeconds(30);
    try {
      Args a = new Args(args);
      while (a.hasNext()) {
        String arg = a.next();
        if (arg.equals("--help") || arg.equals("-h")) {
          out.println(usage());
          return Main.ALLOWED;
        } else if (arg.equals("--timeout")) {
          timeout = Args.duration(a.value(arg), arg);
        } else if (registry.accept(arg, a)) {
          continue;
        } else if (arg.startsWith("-")) {
          throw new UsageException("unknown option " + arg);
        } else {
          images.add(arg);
        }
      }
      if (images.isEmpty()) {
        throw new UsageException("no IMAGE given");
      }
    } catch (UsageException e) {
      err.println("kritis resolve: " + e.getMessage());
      err.println(usage());
      return Main.USAGE;
    }
    RegistryClient client;
    try {
      client = registry.client();
    } catch (RegistryConfigException e) {
      err.println("kritis resolve: bad registry configuration: " + e.getMessage());
      return Main.USAGE;
    }
    int code = Main.ALLOWED;
    for (String image : images) {
      try {
        ImageReference reference = ImageReference.parse(image);
        if (reference.digest().isPresent()) {
          out.println(image);
          continue;
        }
        Digest digest = client.resolve(reference, Instant.now().plus(timeout));
        out.println(image + "@" + digest);
      } catch (InvalidReferenceException e) {
        err.println("kritis resolve: " + e.getMessage());
        code = Main.DENIED;
      } catch (DigestResolutionException e) {
        err.println("kritis resolve: cannot resolve " + image + ": " + e.getMessage());
        code = Main.DENIED;
      }
    }
    return code;
  }
}
