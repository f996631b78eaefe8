package dev.kritis.cli;

import java.io.PrintStream;

/** {@code kritis verify}. */
final class VerifyCommand {
  private VerifyCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    err.println("kritis verify: not yet");
    return Main.USAGE;
  }
}
