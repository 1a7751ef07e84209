package io.genstream.app;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Base of the tests that run the {@code genstream} CLI in-process and read what it printed. */
abstract class CliTest {

  protected final StringWriter out = new StringWriter();
  protected final StringWriter err = new StringWriter();

  /** Runs {@code genstream args…}; returns its exit code. */
  protected int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  /**
   * Runs {@code genstream args…} with {@code stdin} as standard input (for commands that read a
   * pipe), restoring the real one after.
   */
  protected int run(InputStream stdin, String... args) {
    InputStream real = System.in;
    System.setIn(stdin);
    try {
      return run(args);
    } finally {
      System.setIn(real);
    }
  }
}
