package io.genstream.app;

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
}
