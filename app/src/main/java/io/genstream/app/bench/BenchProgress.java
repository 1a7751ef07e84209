package io.genstream.app.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How a benchmark says what it is doing: one line per step, stamped with the seconds since it
 * started ({@code [  12 s] (2) raw Kafka round trip…}), flushed at once so a person watching
 * sees where the time goes; and the machine's load when it started, for the report.
 */
final class BenchProgress {

  private final PrintWriter out;
  private final long started = System.nanoTime();

  BenchProgress(PrintWriter out) {
    this.out = out;
  }

  void step(String format, Object... args) {
    out.printf(Locale.ROOT, "[%4.0f s] %s%n", elapsedSeconds(),
        String.format(Locale.ROOT, format, args));
    out.flush();
  }

  double elapsedSeconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  /** {@code /proc/loadavg}'s first three fields, or "unknown" off Linux. */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
