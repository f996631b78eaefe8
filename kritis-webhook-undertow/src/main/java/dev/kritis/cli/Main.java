package dev.kritis.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code kritis} executable: {@code kritis verify} checks images against policies for deploy
 * tools and people; {@code kritis serve} runs the admission webhook.
 */
public final class Main {
  /** Exit codes shared by every command. */
  static final int ALLOWED = 0;
  static final int DENIED = 1;
  static final int USAGE = 2;

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != ALLOWED || !"serve".equals(args.length > 0 ? args[0] : "")) {
      System.exit(code);
    }
  }

  /** Runs a command and returns its exit code; never throws for bad input. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      (args.length == 0 ? err : out).println(usage());
      return args.length == 0 ? USAGE : ALLOWED;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      switch (args[0]) {
        case "verify":
          return VerifyCommand.run(rest, out, err);
        case "resolve":
          return ResolveCommand.run(rest, out, err);
        case "serve":
          return ServeCommand.run(rest, out, err);
        default:
          err.println("kritis: unknown command \"" + args[0] + "\"\n" + usage());
          return USAGE;
      }
    } catch (RuntimeException e) {
      // A bug, not bad input; still no stack trace for the user, but enough to report it.
      err.println("kritis: internal error: " + e);
      return USAGE;
    }
  }

  static String usage() {
    return String.join("\n",
        "usage: kritis <command> [options]",
        "",
        "commands:",
        "  verify   check images against policies and attestations (exit 0 allowed, 1 denied, 2 bad usage)",
        "  resolve  print each image pinned to the digest its tag names now",
        "  serve    run the HTTPS admission webhook",
        "",
        "run 'kritis <command> --help' for a command's options");
  }
}
