package dev.kritis.cli;

import java.io.PrintStream;

/** {@code kritis serve}: placeholder until the webhook lands. */
final class ServeCommand {
  private ServeCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    err.println("kritis serve: not available in this build");
    return Main.USAGE;
  }
}
