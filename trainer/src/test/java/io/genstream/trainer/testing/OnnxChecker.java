package io.genstream.trainer.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference ONNX checker ({@code onnx.checker.check_model(..., full_check=True)}: schema,
 * opset and type checks plus strict shape inference) run on an exported graph through a Python
 * that has the {@code onnx} package (Debian: {@code apt-get install python3-onnx}). Tests call
 * {@link #available()} in an {@code Assumptions.assumeTrue} so they are skipped where there is
 * none.
 */
public final class OnnxChecker {

  /** Interpreters tried in order; Debian's python3-onnx lives in the system Python. */
  private static final List<String> PYTHONS = List.of("python3", "/usr/bin/python3");
  private static final String CHECK = "import onnx,sys; "
      + "onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)";
  private static final long TIMEOUT_S = 120;

  private static volatile String python;
  private static volatile boolean probed;

  private OnnxChecker() {}

  /** Whether some Python here can {@code import onnx}. */
  public static boolean available() {
    return python() != null;
  }

  /**
   * Checks one serialised model.
   *
   * @throws AssertionError with the checker's message if the model is invalid
   * @throws IllegalStateException if no Python with onnx is available
   */
  public static void check(byte[] onnx) throws IOException, InterruptedException {
    String interpreter = python();
    if (interpreter == null) {
      throw new IllegalStateException("no python3 with the onnx package (apt-get install "
          + "python3-onnx); guard the test with Assumptions.assumeTrue(OnnxChecker.available())");
    }
    Path file = Files.createTempFile("genstream-check", ".onnx");
    try {
      Files.write(file, onnx);
      Result result = run(interpreter, "-c", CHECK, file.toString());
      if (result.exit() != 0) {
        throw new AssertionError("onnx.checker rejects the model: " + result.output());
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The checker's onnx version, for reports ("1.12.0"). */
  public static String version() throws IOException, InterruptedException {
    String interpreter = python();
    return interpreter == null ? "absent"
        : run(interpreter, "-c", "import onnx; print(onnx.__version__)").output().trim();
  }

  private static synchronized String python() {
    if (!probed) {
      for (String candidate : PYTHONS) {
        try {
          if (run(candidate, "-c", "import onnx.checker").exit() == 0) {
            python = candidate;
            break;
          }
        } catch (IOException e) {
          // not installed: try the next one
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      probed = true;
    }
    return python;
  }

  private record Result(int exit, String output) {}

  private static Result run(String... command) throws IOException, InterruptedException {
    Path log = Files.createTempFile("genstream-check", ".log");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      process.getOutputStream().close();
      if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish in " + TIMEOUT_S
            + " s");
      }
      return new Result(process.exitValue(), new String(Files.readAllBytes(log),
          StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
