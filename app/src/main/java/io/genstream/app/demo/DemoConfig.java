package io.genstream.app.demo;

import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.ModelManifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** Everything {@code genstream demo} can be told; validated here so the CLI can say what is wrong. */
public record DemoConfig(
    Duration duration,
    Path out,
    int kafkaPort,
    Path kafkaDir,
    String model,
    double imagesPerSecond,
    int exportEvery,
    int batchSize,
    Duration requestEvery,
    int count,
    long seed) {

  public DemoConfig {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(model, "model");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration must be positive, got " + duration);
    }
    if (kafkaPort < 0 || kafkaPort > 65535) {
      throw new IllegalArgumentException("--kafka-port must be 0..65535, got " + kafkaPort);
    }
    if (!ModelManifest.isValidName(model)) {
      throw new IllegalArgumentException("--model must be letters, digits, '.', '_' or '-', got '" + model + "'");
    }
    if (imagesPerSecond <= 0) {
      throw new IllegalArgumentException("--images-per-second must be positive, got " + imagesPerSecond);
    }
    if (exportEvery < 1) {
      throw new IllegalArgumentException("--export-every must be >= 1, got " + exportEvery);
    }
    if (batchSize < 2 || batchSize > 1024) {
      throw new IllegalArgumentException("--batch-size must be 2..1024, got " + batchSize);
    }
    if (requestEvery.isNegative() || requestEvery.isZero()) {
      throw new IllegalArgumentException("--request-every must be positive, got " + requestEvery);
    }
    if (count < 1 || count > GenerationRequest.MAX_COUNT) {
      throw new IllegalArgumentException(
          "--count must be 1.." + GenerationRequest.MAX_COUNT + ", got " + count);
    }
  }
}
